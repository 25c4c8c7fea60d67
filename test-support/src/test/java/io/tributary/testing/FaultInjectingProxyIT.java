package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testing.FaultInjectingProxy.Fault;
import io.tributary.testing.FaultInjectingProxy.Rates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class FaultInjectingProxyIT {
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjectingProxyIT.class);

  private static final int SMALL_FILES = 30;
  private static final int LARGE_FILES = 3;
  private static final int LARGE_SIZE = 1024 * 1024;
  private static final long SEED = 20_240_601L;

  @Test
  void s3aWritesReadsAndListsEveryFileThroughInjectedFaults() throws Exception {
    try (S3Server server = S3Server.builder(ItDirectories.fresh("s3-faults")).initialBucket("staging").discardDataOnClose().build()) {
      server.start();
      FaultInjectingProxy proxy = FaultInjectingProxy.start(Loopback.HOST, server.port(), SEED);
      try (proxy) {
        proxy.rates(new Rates(0.05, 0.10, 0.05, 0.05, Duration.ofMillis(50), Duration.ofMillis(200)));
        Map<Path, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < SMALL_FILES; i++) {
          files.put(new Path("s3a://staging/faults/small/file-" + i + ".bin"), randomBytes(100 + 37 * i, i));
        }
        for (int i = 0; i < LARGE_FILES; i++) {
          files.put(new Path("s3a://staging/faults/large/file-" + i + ".bin"), randomBytes(LARGE_SIZE, 1000 + i));
        }

        try (FileSystem fs = s3a(server, proxy)) {
          for (Map.Entry<Path, byte[]> file : files.entrySet()) {
            try (OutputStream out = fs.create(file.getKey(), true)) {
              out.write(file.getValue());
            }
          }
          for (Map.Entry<Path, byte[]> file : files.entrySet()) {
            try (InputStream in = fs.open(file.getKey())) {
              assertThat(in.readAllBytes()).as("content of %s", file.getKey()).isEqualTo(file.getValue());
            }
          }
          List<String> expected = files.keySet().stream().map(Path::toString).toList();
          assertThat(list(fs, new Path("s3a://staging/faults"))).containsExactlyInAnyOrderElementsOf(expected);
        }
      }

      Map<Fault, Long> injected = proxy.injected();
      LOG.info("{} requests through the proxy, faults injected: {}", proxy.requests(), injected);
      assertThat(injected).allSatisfy((fault, count) -> assertThat(count).as("%s faults", fault).isPositive());
      assertThat(proxy.requests()).isGreaterThan(SMALL_FILES + LARGE_FILES);
    }
  }

  private static FileSystem s3a(S3Server server, FaultInjectingProxy proxy) throws IOException {
    Configuration conf = new Configuration();
    server.s3aProperties().forEach(conf::set);
    conf.set("fs.s3a.endpoint", proxy.endpoint());
    // Enough retries, in the SDK and in s3a, that a quarter of requests failing fails no operation.
    conf.set("fs.s3a.attempts.maximum", "10");
    conf.set("fs.s3a.retry.limit", "10");
    conf.set("fs.s3a.retry.interval", "50ms");
    conf.set("fs.s3a.retry.throttle.limit", "10");
    conf.set("fs.s3a.retry.throttle.interval", "50ms");
    // Upload blocks in memory rather than in temporary files.
    conf.set("fs.s3a.fast.upload.buffer", "array");
    // A new instance, closed below, not one from (or left in) Hadoop's cache.
    return FileSystem.newInstance(URI.create("s3a://staging/"), conf);
  }

  private static List<String> list(FileSystem fs, Path directory) throws IOException {
    List<String> paths = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(directory, true);
    while (files.hasNext()) {
      paths.add(files.next().getPath().toString());
    }
    return paths;
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
