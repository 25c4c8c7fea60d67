package io.tributary.coordinator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SchemaMigrationsTest {
  @Test
  void migrationsAreNumberedFromOneAndDescribedByTheirFileName() {
    List<SchemaMigrations.Migration> migrations = SchemaMigrations.load();

    assertThat(migrations).extracting(SchemaMigrations.Migration::version).containsExactly(1, 2, 3, 4, 5, 6);
    SchemaMigrations.Migration first = migrations.get(0);
    assertThat(first.description()).isEqualTo("coordinator store");
    assertThat(first.label()).isEqualTo("V1 (coordinator store)");
    assertThat(first.checksum()).matches("[0-9a-f]{64}");
    assertThat(first.sql()).contains("CREATE TABLE coordinator_tables", "CREATE TABLE coordinator_commits");
    assertThat(migrations.get(1).label()).isEqualTo("V2 (table pause)");
    assertThat(migrations.get(3).label()).isEqualTo("V4 (commit rollback)");
    assertThat(migrations.get(4).label()).isEqualTo("V5 (commit groups)");
    assertThat(migrations.get(5).label()).isEqualTo("V6 (table resync)");
  }

  @Test
  void everyMigrationFileIsListed() throws IOException, URISyntaxException {
    URL directory = SchemaMigrations.class.getClassLoader().getResource(SchemaMigrations.DIRECTORY);
    assertThat(directory).isNotNull();
    try (Stream<Path> files = Files.list(Path.of(directory.toURI()))) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(SchemaMigrations.FILES);
    }
  }

  @Test
  void checksumIgnoresLineEndingsButNothingElse() {
    SchemaMigrations.Migration unix = SchemaMigrations.Migration.parse("V1__a.sql", "CREATE TABLE t (id int);\n");
    SchemaMigrations.Migration windows = SchemaMigrations.Migration.parse("V1__a.sql", "CREATE TABLE t (id int);\r\n");
    SchemaMigrations.Migration changed = SchemaMigrations.Migration.parse("V1__a.sql", "CREATE TABLE t (id bigint);\n");

    assertThat(windows.checksum()).isEqualTo(unix.checksum());
    assertThat(changed.checksum()).isNotEqualTo(unix.checksum());
  }

  @Test
  void badFileNamesAreRefused() {
    for (String name : List.of("V0__zero.sql", "1__no_prefix.sql", "V1_single_underscore.sql", "V1__Upper.sql", "V1__x.txt")) {
      assertThatThrownBy(() -> SchemaMigrations.Migration.parse(name, "SELECT 1"))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid migration file name '" + name + "'");
    }
  }
}
