package io.tributary.loadtests.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The faults of a run, drawn from a seed: rounds of every kind in a shuffled order, {@link FaultKind#KILL}
 * twice per round (so that a run of {@code n} faults makes about {@code n / 6} of each kind and twice
 * as many kills), each with its target, its pause and the quiet time under load before it. Targets are
 * dealt from a shuffled deck, so that every component is killed once before any is killed twice. The
 * same seed and settings give the same plan.
 */
public final class FaultPlan {
  /** One planned fault. */
  public record Fault(int index, FaultKind kind, String target, Duration quietBefore, Duration pause) {}

  /** The shortest and longest pause of each kind, and the quiet time between faults. */
  public record Timing(Duration quietMin, Duration quietMax, Duration killMin, Duration killMax,
      Duration coordinatorMin, Duration coordinatorMax, Duration appliersPauseMin, Duration appliersPauseMax,
      Duration storageMin, Duration storageMax) {}

  private FaultPlan() {}

  /**
   * Draws {@code count} faults; a KILL targets one of {@code killable}, a PAUSE_APPLIER one of
   * {@code appliers}.
   */
  public static List<Fault> draw(long seed, int count, List<String> killable, List<String> appliers, Timing timing) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Fault> faults = new ArrayList<>();
    List<FaultKind> round = new ArrayList<>();
    Deck kills = new Deck(killable, random);
    Deck pauses = new Deck(appliers, random);
    for (int i = 0; i < count; i++) {
      if (round.isEmpty()) {
        round.addAll(Arrays.asList(FaultKind.values()));
        round.add(FaultKind.KILL);
        shuffle(round, random);
      }
      FaultKind kind = round.remove(0);
      Duration quiet = between(random, timing.quietMin(), timing.quietMax());
      faults.add(switch (kind) {
        case KILL -> new Fault(i + 1, kind, kills.next(), quiet,
            between(random, timing.killMin(), timing.killMax()));
        case PAUSE_APPLIER -> new Fault(i + 1, kind, pauses.next(), quiet,
            between(random, timing.appliersPauseMin(), timing.appliersPauseMax()));
        case RESTART_KAFKA -> new Fault(i + 1, kind, "kafka", quiet, Duration.ZERO);
        case STOP_COORDINATOR -> new Fault(i + 1, kind, "coordinator", quiet,
            between(random, timing.coordinatorMin(), timing.coordinatorMax()));
        case STORAGE_FAULTS -> new Fault(i + 1, kind, "s3", quiet,
            between(random, timing.storageMin(), timing.storageMax()));
      });
    }
    return faults;
  }

  private static <T> void shuffle(List<T> list, SplittableRandom random) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T swap = list.get(i);
      list.set(i, list.get(j));
      list.set(j, swap);
    }
  }

  /** Names dealt in a shuffled order, the deck shuffled again once every name has been dealt. */
  private static final class Deck {
    private final List<String> names;
    private final SplittableRandom random;
    private final List<String> left = new ArrayList<>();

    Deck(List<String> names, SplittableRandom random) {
      if (names.isEmpty()) {
        throw new IllegalArgumentException("nothing to deal");
      }
      this.names = List.copyOf(names);
      this.random = random;
    }

    String next() {
      if (left.isEmpty()) {
        left.addAll(names);
        shuffle(left, random);
      }
      return left.remove(0);
    }
  }

  private static Duration between(SplittableRandom random, Duration min, Duration max) {
    long span = max.toMillis() - min.toMillis();
    return Duration.ofMillis(min.toMillis() + (span <= 0 ? 0 : random.nextLong(span + 1)));
  }
}
