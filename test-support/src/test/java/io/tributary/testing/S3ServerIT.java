package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.s3a.RemoteFileChangedException;
import org.junit.jupiter.api.Test;

class S3ServerIT {

  @Test
  void putsGetsListsAndDeletesThroughS3aThenReleasesItsPorts() throws Exception {
    S3Server server = S3Server.builder(ItDirectories.fresh("s3")).initialBucket("staging").discardDataOnClose().build();
    try (server) {
      server.start();
      assertThat(server.endpoint()).isEqualTo("http://127.0.0.1:" + server.port());
      assertThat(server.directory().resolve("data").resolve("staging")).isDirectory();

      try (FileSystem fs = s3a(server, "staging")) {
        Path a = new Path("s3a://staging/segments/a.bin");
        Path b = new Path("s3a://staging/segments/day/b.bin");
        write(fs, a, "first");
        write(fs, b, "second");

        assertThat(read(fs, a)).isEqualTo("first");
        assertThat(fs.getFileStatus(b).getLen()).isEqualTo("second".length());
        assertThat(list(fs, new Path("s3a://staging/segments"))).containsExactly(a.toString(), b.toString());

        assertThat(fs.delete(a, false)).isTrue();
        assertThat(fs.exists(a)).isFalse();
        assertThat(fs.delete(a, false)).isFalse();
        assertThat(list(fs, new Path("s3a://staging/segments"))).containsExactly(b.toString());
      }
    }
    assertThat(server.state()).isEqualTo(ServerState.STOPPED);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> Loopback.isBindable(server.port()) && Loopback.isBindable(server.httpsPort()));
    server.close();
  }

  @Test
  void createWithoutOverwriteIsPutIfAbsent() throws Exception {
    try (S3Server server = S3Server.builder(ItDirectories.fresh("s3-conditional")).initialBucket("staging").discardDataOnClose().build()) {
      server.start();
      try (FileSystem fs = s3a(server, "staging")) {
        Path path = new Path("s3a://staging/once.bin");
        // Both writers pass the existence check at create; the server's If-None-Match decides.
        OutputStream first = createIfAbsent(fs, path);
        OutputStream second = createIfAbsent(fs, path);
        first.write("first".getBytes(StandardCharsets.UTF_8));
        second.write("second".getBytes(StandardCharsets.UTF_8));
        first.close();

        // HTTP 412 Precondition Failed, which s3a reports as a changed remote file.
        assertThatThrownBy(second::close).isInstanceOf(RemoteFileChangedException.class).hasMessageContaining("412");
        assertThat(read(fs, path)).isEqualTo("first");
        assertThatThrownBy(() -> createIfAbsent(fs, path).close()).isInstanceOf(RemoteFileChangedException.class);
        assertThatThrownBy(() -> fs.create(path, false).close()).isInstanceOf(FileAlreadyExistsException.class);
      }
    }
  }

  @Test
  void multipartCreateWithoutOverwriteIsPutIfAbsent() throws Exception {
    try (S3Server server = S3Server.builder(ItDirectories.fresh("s3-multipart")).initialBucket("staging").discardDataOnClose().build()) {
      server.start();
      try (FileSystem fs = s3a(server, "staging", Map.of("fs.s3a.multipart.size", "5M"))) {
        Path path = new Path("s3a://staging/large.bin");
        byte[] block = new byte[1024 * 1024];
        OutputStream first = createIfAbsent(fs, path);
        OutputStream second = createIfAbsent(fs, path);
        for (int i = 0; i < 12; i++) {
          block[0] = (byte) i;
          first.write(block);
          second.write(block);
        }
        first.close();
        assertThat(fs.getFileStatus(path).getLen()).isEqualTo(12L * block.length);

        // The losing upload fails at CompleteMultipartUpload. (Afterwards S3Mock 5.2.0 no longer has
        // the winner's object either; real S3 keeps it, so it is not checked here.)
        assertThatThrownBy(second::close).isInstanceOf(RemoteFileChangedException.class).hasMessageContaining("412");
      }
    }
  }

  @Test
  void listensOnLoopbackOnly() throws Exception {
    try (S3Server server = S3Server.builder(ItDirectories.fresh("s3-loopback")).discardDataOnClose().build()) {
      server.start();
      assertThat(connects(Loopback.address(), server.port())).isTrue();
      assertThat(connects(Loopback.address(), server.httpsPort())).isTrue();
      Optional<InetAddress> other = nonLoopbackAddress();
      if (other.isPresent()) {
        assertThat(connects(other.get(), server.port())).as("HTTP port on %s", other.get()).isFalse();
        assertThat(connects(other.get(), server.httpsPort())).as("HTTPS port on %s", other.get()).isFalse();
      }
    }
  }

  @Test
  void restartKeepsBucketsAndObjectsOnTheSamePorts() throws Exception {
    try (S3Server server = S3Server.builder(ItDirectories.fresh("s3-restart")).initialBucket("kept").discardDataOnClose().build()) {
      server.start();
      int port = server.port();
      try (FileSystem fs = s3a(server, "kept")) {
        write(fs, new Path("s3a://kept/before.txt"), "before");
      }
      server.createBucket("later");
      server.createBucket("later");

      server.restart();

      assertThat(server.port()).isEqualTo(port);
      try (FileSystem fs = s3a(server, "kept"); FileSystem later = s3a(server, "later")) {
        assertThat(read(fs, new Path("s3a://kept/before.txt"))).isEqualTo("before");
        write(later, new Path("s3a://later/after.txt"), "after");
        assertThat(read(later, new Path("s3a://later/after.txt"))).isEqualTo("after");
      }
    }
  }

  @Test
  void failsToStartWithoutItsJar() throws Exception {
    java.nio.file.Path directory = ItDirectories.fresh("s3-nojar");
    S3Server server = S3Server.builder(directory).jar(directory.resolve("missing.jar")).build();
    assertThatThrownBy(server::start)
        .isInstanceOf(FixtureException.class)
        .hasMessageContaining("missing.jar does not exist");
    assertThat(server.state()).isEqualTo(ServerState.FAILED);
    server.close();
    assertThat(Files.exists(directory.resolve("data"))).isFalse();
  }

  private static FileSystem s3a(S3Server server, String bucket) throws IOException {
    return s3a(server, bucket, Map.of());
  }

  private static FileSystem s3a(S3Server server, String bucket, Map<String, String> extra) throws IOException {
    Configuration conf = new Configuration();
    server.s3aProperties().forEach(conf::set);
    extra.forEach(conf::set);
    return FileSystem.newInstance(URI.create("s3a://" + bucket + "/"), conf);
  }

  private static OutputStream createIfAbsent(FileSystem fs, Path path) throws IOException {
    FSDataOutputStreamBuilder<?, ?> builder = fs.createFile(path);
    builder.overwrite(false).must("fs.option.create.conditional.overwrite", true);
    return builder.build();
  }

  private static void write(FileSystem fs, Path path, String content) throws IOException {
    try (OutputStream out = fs.create(path, false)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String read(FileSystem fs, Path path) throws IOException {
    try (InputStream in = fs.open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static List<String> list(FileSystem fs, Path directory) throws IOException {
    List<String> paths = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(directory, true);
    while (files.hasNext()) {
      FileStatus status = files.next();
      paths.add(status.getPath().toString());
    }
    Collections.sort(paths);
    return paths;
  }

  private static boolean connects(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 2_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address) {
          return Optional.of(address);
        }
      }
    }
    return Optional.empty();
  }
}
