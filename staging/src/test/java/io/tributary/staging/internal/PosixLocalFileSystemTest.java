package io.tributary.staging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.staging.LocalPermissions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixLocalFileSystemTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void filesTheirChecksumsAndDirectoriesGetTheLocalPermissionsWithoutAProcess() throws IOException {
    Configuration hadoop = LocalPermissions.hadoopConfiguration(Map.of());
    FileSystem fileSystem = new Path(dir.toUri()).getFileSystem(hadoop);
    assertThat(fileSystem).isInstanceOf(PosixLocalFileSystem.class);

    Path directory = new Path(dir.resolve("a/b").toUri());
    assertThat(fileSystem.mkdirs(directory)).isTrue();
    try (FSDataOutputStream out = fileSystem.create(new Path(directory, "file.parquet"))) {
      out.writeBytes("rows");
    }

    assertThat(permissions(dir.resolve("a"))).isEqualTo("rwxr-x---");
    assertThat(permissions(dir.resolve("a/b"))).isEqualTo("rwxr-x---");
    assertThat(permissions(dir.resolve("a/b/file.parquet"))).isEqualTo("rw-r-----");
    assertThat(permissions(dir.resolve("a/b/.file.parquet.crc"))).isEqualTo("rw-r-----");
    assertThat(Files.readString(dir.resolve("a/b/file.parquet"))).isEqualTo("rows");
  }

  @Test
  void everyBitOfOwnerGroupAndOthersIsMapped() {
    for (short mode : new short[] {0, 0640, 0750, 0777, 0123, 0456}) {
      String expected = new FsPermission(mode).toString();
      assertThat(PosixFilePermissions.toString(PosixLocalFileSystem.posix(new FsPermission(mode)))).isEqualTo(expected);
    }
  }

  private static String permissions(java.nio.file.Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
