package io.tributary.loadtests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FaultPlanTest {
  private static final List<String> COMPONENTS = List.of("coordinator", "gateway-postgresql", "gateway-mariadb",
      "applier-1", "applier-2");
  private static final List<String> APPLIERS = List.of("applier-1", "applier-2");
  private static final FaultPlan.Timing TIMING = new FaultPlan.Timing(seconds(3), seconds(10), seconds(1), seconds(15),
      seconds(5), seconds(30), seconds(18), seconds(30), seconds(10), seconds(20));

  @Test
  void theSameSeedDrawsTheSamePlanAndAnotherSeedAnother() {
    assertThat(FaultPlan.draw(7, 18, COMPONENTS, APPLIERS, TIMING))
        .isEqualTo(FaultPlan.draw(7, 18, COMPONENTS, APPLIERS, TIMING))
        .isNotEqualTo(FaultPlan.draw(8, 18, COMPONENTS, APPLIERS, TIMING));
  }

  @Test
  void everyRoundMakesEachKindOnceAndKillsTwice() {
    List<FaultPlan.Fault> plan = FaultPlan.draw(3, 12, COMPONENTS, APPLIERS, TIMING);

    for (List<FaultPlan.Fault> round : List.of(plan.subList(0, 6), plan.subList(6, 12))) {
      assertThat(round.stream().collect(Collectors.groupingBy(FaultPlan.Fault::kind, Collectors.counting())))
          .containsEntry(FaultKind.KILL, 2L).containsEntry(FaultKind.PAUSE_APPLIER, 1L)
          .containsEntry(FaultKind.RESTART_KAFKA, 1L).containsEntry(FaultKind.STOP_COORDINATOR, 1L)
          .containsEntry(FaultKind.STORAGE_FAULTS, 1L);
    }
    assertThat(plan).extracting(FaultPlan.Fault::index).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
  }

  @Test
  void killsEveryComponentOnceBeforeAnyTwiceAndPausesTheAppliersInTurn() {
    List<FaultPlan.Fault> plan = FaultPlan.draw(11, 30, COMPONENTS, APPLIERS, TIMING);

    List<String> killed = plan.stream().filter(fault -> fault.kind() == FaultKind.KILL).map(FaultPlan.Fault::target)
        .toList();
    assertThat(killed).hasSize(10);
    assertThat(killed.subList(0, 5)).containsExactlyInAnyOrderElementsOf(COMPONENTS);
    assertThat(killed.subList(5, 10)).containsExactlyInAnyOrderElementsOf(COMPONENTS);
    List<String> paused = plan.stream().filter(fault -> fault.kind() == FaultKind.PAUSE_APPLIER)
        .map(FaultPlan.Fault::target).toList();
    assertThat(paused.subList(0, 2)).containsExactlyInAnyOrderElementsOf(APPLIERS);
  }

  @Test
  void pausesAndQuietTimesStayWithinTheirBounds() {
    for (FaultPlan.Fault fault : FaultPlan.draw(5, 60, COMPONENTS, APPLIERS, TIMING)) {
      assertThat(fault.quietBefore()).isBetween(seconds(3), seconds(10));
      switch (fault.kind()) {
        case KILL -> assertThat(fault.pause()).isBetween(seconds(1), seconds(15));
        case PAUSE_APPLIER -> assertThat(fault.pause()).isBetween(seconds(18), seconds(30));
        case STOP_COORDINATOR -> assertThat(fault.pause()).isBetween(seconds(5), seconds(30));
        case STORAGE_FAULTS -> assertThat(fault.pause()).isBetween(seconds(10), seconds(20));
        case RESTART_KAFKA -> assertThat(fault.pause()).isZero();
        default -> throw new AssertionError(fault);
      }
    }
  }

  private static Duration seconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }
}
