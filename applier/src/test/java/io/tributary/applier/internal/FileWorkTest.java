package io.tributary.applier.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FileWorkTest {

  @Test
  void resultsComeInTheItemsOrder() {
    List<Integer> items = IntStream.range(0, 200).boxed().toList();

    List<Integer> squares = FileWork.map(items, item -> item * item);

    assertThat(squares).isEqualTo(items.stream().map(item -> item * item).toList());
    assertThat(FileWork.map(List.<Integer>of(), item -> item)).isEmpty();
    assertThat(FileWork.map(List.of(7), item -> item + 1)).containsExactly(8);
  }

  @Test
  void theFirstFailureIsThrownOnceEveryItemHasEnded() {
    AtomicInteger ended = new AtomicInteger();
    List<Integer> items = IntStream.range(0, 50).boxed().toList();

    assertThatThrownBy(() -> FileWork.map(items, item -> {
      try {
        if (item == 3 || item == 40) {
          throw new IllegalStateException("item " + item);
        }
        return item;
      } finally {
        ended.incrementAndGet();
      }
    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("item 3")
        .satisfies(failure -> assertThat(failure.getSuppressed()).extracting(Throwable::getMessage)
            .containsExactly("item 40"));
    assertThat(ended).hasValue(50);
  }

  @Test
  void workThatMapsItsOwnPartsEndsWhereverItRuns() {
    // Segments whose row groups are decoded as items of their own, on threads that are busy with segments.
    List<Integer> segments = IntStream.range(0, 20).boxed().toList();

    List<Integer> sums = FileWork.map(segments, segment -> FileWork.map(IntStream.range(0, segment + 1).boxed().toList(),
        group -> group + segment).stream().mapToInt(Integer::intValue).sum());

    assertThat(sums).isEqualTo(segments.stream().map(segment -> segment * (segment + 1) / 2 + segment * (segment + 1))
        .toList());
  }

  @Test
  void theWorkRunsOnTheCallerAndTheFileThreadsOnly() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<Integer> items = IntStream.range(0, 100).boxed().toList();

    FileWork.map(items, item -> {
      threads.add(Thread.currentThread().getName());
      return item;
    });

    assertThat(threads).allMatch(name -> name.equals(Thread.currentThread().getName())
        || name.startsWith("tributary-applier-files-"));
  }
}
