package io.tributary.staging;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.internal.PosixLocalFileSystem;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * Staged segments, Delta tables and the coordinator's files hold the source's rows: on local disk
 * they are readable by their owner and group only (files {@code rw-r-----}, directories
 * {@code rwxr-x---}), whatever the process's umask. Object stores have no such bits; their access
 * is the bucket's policy.
 */
public final class LocalPermissions {
  /** Hadoop's setting for the permissions of what its file systems create. */
  public static final String HADOOP_UMASK = "fs.permissions.umask-mode";
  private static final String LOCAL_FILE_SYSTEM_UNCACHED = "fs.file.impl.disable.cache";
  private static final String LOCAL_FILE_SYSTEM = "fs.file.impl";
  /** No access for others, no write access for the group. */
  public static final String UMASK = "027";
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r-----");
  public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-x---");

  private LocalPermissions() {}

  /**
   * A Hadoop configuration whose file systems create files and directories without access for
   * others, then {@code properties} (which may set {@value #HADOOP_UMASK} otherwise).
   */
  public static Configuration hadoopConfiguration(Map<String, String> properties) {
    requireNonNull(properties, "properties is null");
    Configuration hadoop = new Configuration();
    hadoop.set(HADOOP_UMASK, UMASK);
    // Hadoop caches one local file system per JVM, configured by whoever asked first (a library
    // with a default umask, in a process that runs several components): these get their own.
    hadoop.setBoolean(LOCAL_FILE_SYSTEM_UNCACHED, true);
    // Permissions set by Java, not by a chmod process per file (Hadoop's way without its native library).
    hadoop.set(LOCAL_FILE_SYSTEM, PosixLocalFileSystem.class.getName());
    properties.forEach(hadoop::set);
    return hadoop;
  }

  /** Creates {@code directory} and its missing parents with {@link #DIRECTORY} permissions. */
  public static Path createDirectories(Path directory) throws IOException {
    if (Files.isDirectory(directory) || !isPosix()) {
      return Files.createDirectories(directory);
    }
    Path parent = directory.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(directory);
      // The umask may have removed more; it never adds, so the bits are set explicitly.
      Files.setPosixFilePermissions(directory, DIRECTORY);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // Created meanwhile by another thread or process.
    }
    return directory;
  }

  /** Gives {@code file} {@link #FILE} permissions on a POSIX file system. */
  public static void restrictFile(Path file) throws IOException {
    if (isPosix()) {
      Files.setPosixFilePermissions(file, FILE);
    }
  }

  private static boolean isPosix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
