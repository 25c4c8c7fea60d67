package io.tributary.loadtests.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The configuration files of benchmark {@code scale-out}'s processes: a gateway capturing the tables
 * onto a topic of as many partitions as asked, a coordinator on 127.0.0.1 with its embedded store, and
 * appliers sharing one consumer group. Every other key is at its default.
 */
public final class ScaleOutConfigs {
  /** The manifest topic the gateway creates and the appliers read. */
  public static final String TOPIC = "scale-out.manifests";

  private ScaleOutConfigs() {}

  /** Writes {@code gateway.yaml} into {@code directory}: the tables, staging under {@code staging}, the topic. */
  public static Path gateway(BenchmarkServers servers, List<String> tables, int partitions, URI staging, Path directory)
      throws IOException {
    return write(directory.resolve("gateway.yaml"), GatewayJvm.sourceSection(servers, tables) + """
        gateway:
          listen-port: 0
        staging:
          location: %s
        kafka:
          bootstrap-servers: %s
          topic: %s
          topic-partitions: %d
        """.formatted(staging, servers.bootstrapServers(), TOPIC, partitions));
  }

  /** Writes {@code coordinator.yaml} into {@code directory}: a free port on 127.0.0.1, the embedded store. */
  public static Path coordinator(Path directory) throws IOException {
    return write(directory.resolve("coordinator.yaml"), """
        coordinator:
          listen-host: 127.0.0.1
          listen-port: 0
        """);
  }

  /**
   * Writes {@code <writer>.yaml} into {@code directory}: an applier of consumer group {@code group}
   * reading the topic, writing the tables under {@code tables}, committing through {@code coordinator},
   * with at most {@code batchSegments} segments of a table in one commit ({@code applier.batch.max-segments}).
   */
  public static Path applier(BenchmarkServers servers, String writer, String group, int batchSegments, URI staging,
      URI tables, URI coordinator, Path directory) throws IOException {
    return write(directory.resolve(writer + ".yaml"), """
        kafka:
          bootstrap-servers: %s
          topic: %s
        staging:
          location: %s
        applier:
          writer-id: %s
          group-id: %s
          tables-location: %s
          listen-port: 0
          batch:
            max-segments: %d
        coordinator:
          url: %s
        """.formatted(servers.bootstrapServers(), TOPIC, staging, writer, group, tables, batchSegments, coordinator));
  }

  /**
   * A configuration file as a result may show it: the work directory's place, the ports of this run
   * and its password reference left as they read, the directories before {@code work} left out.
   */
  public static String shown(Path config, Path work) throws IOException {
    return Files.readString(config).replace(work.toUri().toString(), "").replace(work + "/", "");
  }

  private static Path write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }
}
