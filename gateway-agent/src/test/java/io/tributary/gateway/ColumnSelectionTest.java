package io.tributary.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Debezium exclusion a selection becomes leaves out exactly the columns not captured. */
class ColumnSelectionTest {
  private static boolean excluded(ColumnSelection selection, String column) {
    return Pattern.compile(selection.debeziumExclusion("public", "orders")).matcher("public.orders." + column).matches();
  }

  @Test
  void anExclusionLeavesOutTheNamedColumnsOnly() {
    ColumnSelection selection = new ColumnSelection(Optional.empty(), List.of("payload", "big"));
    assertThat(excluded(selection, "payload")).isTrue();
    assertThat(excluded(selection, "big")).isTrue();
    assertThat(excluded(selection, "bigger")).isFalse();
    assertThat(excluded(selection, "id")).isFalse();
    assertThat(selection.captures("id")).isTrue();
    assertThat(selection.captures("payload")).isFalse();
    assertThat(Pattern.compile(selection.debeziumExclusion("public", "orders")).matcher("public.items.payload").matches())
        .as("other tables keep their columns").isFalse();
  }

  @Test
  void anInclusionLeavesOutEveryOtherColumn() {
    ColumnSelection selection = new ColumnSelection(Optional.of(List.of("id", "note")), List.of());
    assertThat(excluded(selection, "id")).isFalse();
    assertThat(excluded(selection, "note")).isFalse();
    assertThat(excluded(selection, "notes")).isTrue();
    assertThat(excluded(selection, "payload")).isTrue();
    assertThat(selection.captures("note")).isTrue();
    assertThat(selection.captures("payload")).isFalse();
  }

  @Test
  void namesWithRegexCharactersAreTakenLiterally() {
    ColumnSelection selection = new ColumnSelection(Optional.empty(), List.of("a+b"));
    assertThat(excluded(selection, "a+b")).isTrue();
    assertThat(excluded(selection, "aab")).isFalse();
  }

  @Test
  void includeAndExcludeTogetherAreRefused() {
    assertThatThrownBy(() -> new ColumnSelection(Optional.of(List.of("id")), List.of("x")))
        .hasMessageContaining("either included or excluded");
  }
}
