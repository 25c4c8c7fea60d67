package io.tributary.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real S3 API server (Adobe S3Mock) running as a separate {@code java -jar} process and
 * listening on {@code 127.0.0.1} only: plain HTTP on {@link #port()}, HTTPS with S3Mock's
 * self-signed certificate on {@link #httpsPort()}. Buckets are path-style
 * ({@code http://127.0.0.1:<port>/<bucket>/<key>}); requests are not authenticated, so any
 * access key works.
 *
 * <p>Layout under {@link #directory()}: {@code data/} (the object store, kept across restarts
 * and by a later server built on the same directory), {@code s3mock-beans.xml} (see below) and
 * {@code s3mock.log} (the server's output). The jar is the one Maven resolved when it built this
 * module ({@code s3mock.properties}), unless {@link Builder#jar} says otherwise.
 *
 * <p>S3Mock binds its plain-HTTP connector to every address and offers no setting for it; the
 * server therefore starts with a bean file that replaces that connector by one bound to
 * {@value Loopback#HOST}. The HTTPS connector takes Spring Boot's {@code server.address}.
 */
public final class S3Server extends AbstractManagedServer {

  /** The region the server claims; clients must sign for it. */
  public static final String REGION = "us-east-1";
  /** An access key clients may use; the server checks none. */
  public static final String ACCESS_KEY = "tributary-test";
  /** The secret key paired with {@link #ACCESS_KEY}. */
  public static final String SECRET_KEY = "tributary-test-secret";

  private static final String JAR_RESOURCE = "s3mock.properties";
  // S3 bucket naming rules, the subset S3Mock accepts without complaint.
  private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  private final int port;
  private final int httpsPort;
  private final List<String> initialBuckets;
  private final Path jar;
  private final String maxHeap;
  private final Duration startupTimeout;
  private final Duration stopTimeout;
  private final HttpClient http;
  private volatile Process process;
  private volatile Thread shutdownHook;

  private S3Server(Builder builder) {
    super(builder.name, builder.directory, builder.stopTimeout, builder.discardDataOnClose);
    this.port = builder.port != 0 ? builder.port : Loopback.freePort();
    this.httpsPort = builder.httpsPort != 0 ? builder.httpsPort : Loopback.freePort();
    if (port == httpsPort) {
      throw new IllegalArgumentException("port and httpsPort must differ: " + port);
    }
    this.initialBuckets = List.copyOf(builder.initialBuckets);
    this.jar = builder.jar != null ? builder.jar.toAbsolutePath().normalize() : resolvedJar();
    this.maxHeap = builder.maxHeap;
    this.startupTimeout = builder.startupTimeout;
    // The process gets most of the stop budget, the forced kill the rest.
    this.stopTimeout = builder.stopTimeout.multipliedBy(3).dividedBy(4);
    this.http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  }

  /** Starts building a server whose objects and log go under {@code directory} (typically under {@code target/}). */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** The plain-HTTP port clients use. */
  @Override
  public int port() {
    return port;
  }

  /** The HTTPS port (S3Mock's self-signed certificate; clients must trust it explicitly). */
  public int httpsPort() {
    return httpsPort;
  }

  /** The plain-HTTP endpoint: {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://" + host() + ":" + port;
  }

  /** The buckets created on every start (existing ones are kept). */
  public List<String> initialBuckets() {
    return initialBuckets;
  }

  /** The S3Mock jar this server runs. */
  public Path jar() {
    return jar;
  }

  /**
   * The Hadoop properties for {@code s3a://} against this server: its endpoint over plain HTTP,
   * path-style buckets, the fixed region, static keys, and nothing that could reach AWS (no
   * instance-metadata credentials, no region lookup). Keys are without any prefix, as
   * {@code staging.hadoop.*} takes them.
   */
  public Map<String, String> s3aProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("fs.s3a.endpoint", endpoint());
    properties.put("fs.s3a.endpoint.region", REGION);
    properties.put("fs.s3a.path.style.access", "true");
    properties.put("fs.s3a.connection.ssl.enabled", "false");
    // Only the static keys: the default chain would also ask the instance-metadata service.
    properties.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    properties.put("fs.s3a.access.key", ACCESS_KEY);
    properties.put("fs.s3a.secret.key", SECRET_KEY);
    // A stopped server should fail a test in seconds, not after the default minutes of retries.
    properties.put("fs.s3a.attempts.maximum", "2");
    properties.put("fs.s3a.retry.limit", "3");
    properties.put("fs.s3a.retry.interval", "200ms");
    properties.put("fs.s3a.connection.establish.timeout", "15s");
    properties.put("fs.s3a.connection.timeout", "30s");
    return Map.copyOf(properties);
  }

  /** Creates bucket {@code name}; does nothing if it exists. */
  public void createBucket(String name) {
    requireBucketName(name);
    HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint() + "/" + name))
        .timeout(REQUEST_TIMEOUT)
        .PUT(HttpRequest.BodyPublishers.noBody())
        .build();
    int status = send(request, "create bucket '" + name + "'");
    // 409: BucketAlreadyOwnedByYou.
    if (status != 200 && status != 409) {
      throw new FixtureException("Cannot create bucket '" + name + "' on " + this + ": HTTP " + status
          + "; see " + logFile());
    }
  }

  /** The server's log file. */
  public Path logFile() {
    return directory().resolve("s3mock.log");
  }

  @Override
  List<Path> dataDirectories() {
    return List.of(directory().resolve("data"));
  }

  @Override
  void doStart() throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new FixtureException("S3Mock jar " + jar + " does not exist; build the test-support module with"
          + " Maven so that it resolves com.adobe.testing:s3mock:exec");
    }
    Path data = Files.createDirectories(directory().resolve("data"));
    Path beans = directory().resolve("s3mock-beans.xml");
    Files.writeString(beans, loopbackHttpConnector(port), StandardCharsets.UTF_8);
    Path log = logFile();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + maxHeap,
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.net.preferIPv4Stack=true",
        "-jar", jar.toString(),
        "--server.address=" + Loopback.HOST,
        "--server.port=" + httpsPort,
        "--http.port=" + port,
        "--spring.main.sources=" + beans.toUri(),
        "--spring.main.allow-bean-definition-overriding=true",
        "--spring.main.banner-mode=off",
        "--com.adobe.testing.s3mock.store.root=" + data,
        "--com.adobe.testing.s3mock.store.retain-files-on-exit=true",
        "--com.adobe.testing.s3mock.store.region=" + REGION));
    if (!initialBuckets.isEmpty()) {
      command.add("--com.adobe.testing.s3mock.store.initial-buckets=" + String.join(",", initialBuckets));
    }
    Files.writeString(log, "--- " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Process started = new ProcessBuilder(command)
        .directory(directory().toFile())
        .redirectErrorStream(true)
        .redirectOutput(Redirect.appendTo(log.toFile()))
        .start();
    process = started;
    started.getOutputStream().close();
    // A test JVM that exits without closing the fixture must not leave the server running.
    Thread hook = new Thread(started::destroyForcibly, name() + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    shutdownHook = hook;
    awaitReady(started);
  }

  private void awaitReady(Process started) throws InterruptedException {
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    HttpRequest listBuckets = HttpRequest.newBuilder(URI.create(endpoint() + "/"))
        .timeout(REQUEST_TIMEOUT)
        .GET()
        .build();
    while (true) {
      if (!started.isAlive()) {
        throw new FixtureException("S3Mock (pid " + started.pid() + ") exited with status " + started.exitValue()
            + " while starting on " + host() + ":" + port + "/" + httpsPort + "; see " + logFile());
      }
      Optional<String> body = tryGet(listBuckets);
      if (body.isPresent() && initialBuckets.stream().allMatch(bucket -> body.get().contains("<Name>" + bucket + "</Name>"))) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new FixtureException("S3Mock (pid " + started.pid() + ") did not answer on " + endpoint() + " within "
            + startupTimeout + "; see " + logFile());
      }
      TimeUnit.MILLISECONDS.sleep(POLL_INTERVAL.toMillis());
    }
  }

  private Optional<String> tryGet(HttpRequest request) throws InterruptedException {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (IOException e) {
      // Not listening yet.
      return Optional.empty();
    }
  }

  @Override
  void doStop() throws Exception {
    Process running = process;
    process = null;
    Thread hook = shutdownHook;
    shutdownHook = null;
    if (running == null) {
      return;
    }
    // SIGTERM to the process this server started, by its handle: Spring Boot closes its
    // connectors and the store; the forced kill is for a process that hangs.
    running.destroy();
    if (!running.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
      running.destroyForcibly();
      if (!running.waitFor(stopTimeout.toMillis() / 3, TimeUnit.MILLISECONDS)) {
        throw new FixtureException("S3Mock (pid " + running.pid() + ") did not exit after SIGKILL");
      }
    }
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook runs and finds the process gone.
      }
    }
  }

  private int send(HttpRequest request, String what) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new FixtureException("Cannot " + what + " on " + this + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FixtureException("Interrupted while trying to " + what + " on " + this, e);
    }
  }

  /**
   * A Spring bean file that replaces S3Mock's {@code httpConnector} bean (a Tomcat connector on
   * every address) by the same connector bound to the loopback address.
   */
  private static String loopbackHttpConnector(int port) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- Written by %s: S3Mock's plain-HTTP connector, bound to %s only. -->
        <beans xmlns="http://www.springframework.org/schema/beans"
               xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
               xsi:schemaLocation="http://www.springframework.org/schema/beans https://www.springframework.org/schema/beans/spring-beans.xsd">
          <bean id="httpConnector" class="org.apache.catalina.connector.Connector">
            <constructor-arg>
              <bean class="org.apache.coyote.http11.Http11NioProtocol">
                <property name="address">
                  <bean class="java.net.InetAddress" factory-method="getByName">
                    <constructor-arg value="%s"/>
                  </bean>
                </property>
              </bean>
            </constructor-arg>
            <property name="port" value="%d"/>
          </bean>
        </beans>
        """.formatted(S3Server.class.getName(), Loopback.HOST, Loopback.HOST, port);
  }

  private static Path resolvedJar() {
    try (InputStream in = S3Server.class.getResourceAsStream(JAR_RESOURCE)) {
      if (in == null) {
        throw new FixtureException(JAR_RESOURCE + " is missing from the test-support classes; build the module with"
            + " Maven, or set the jar with S3Server.Builder.jar(path)");
      }
      Properties properties = new Properties();
      properties.load(in);
      String jar = properties.getProperty("jar", "");
      if (jar.isBlank() || jar.startsWith("${")) {
        throw new FixtureException(JAR_RESOURCE + " does not name the S3Mock jar (" + jar + "); build the test-support"
            + " module with Maven, which resolves com.adobe.testing:s3mock:exec");
      }
      return Path.of(jar);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + JAR_RESOURCE, e);
    }
  }

  private static String requireBucketName(String name) {
    requireNonNull(name, "bucket name is null");
    if (!BUCKET_NAME.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException("Invalid bucket name '" + name
          + "': 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit");
    }
    return name;
  }

  /** Settings of an {@link S3Server}; every one has a default. */
  public static final class Builder {
    private final Path directory;
    private final Set<String> initialBuckets = new LinkedHashSet<>();
    private String name = "s3";
    private int port;
    private int httpsPort;
    private Path jar;
    private String maxHeap = "256m";
    private Duration startupTimeout = Duration.ofSeconds(60);
    private boolean discardDataOnClose;
    private Duration stopTimeout = Duration.ofSeconds(20);

    private Builder(Path directory) {
      this.directory = requireNonNull(directory, "directory is null");
    }

    /**
     * Deletes the server's data (not its log) when it is closed, for tests whose data nobody
     * reads afterwards; by default the data stays, so that a new server on the directory resumes.
     */
    public Builder discardDataOnClose() {
      this.discardDataOnClose = true;
      return this;
    }

    /** Names the server in logs and thread names instead of {@code "s3"}. */
    public Builder name(String name) {
      requireNonNull(name, "name is null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name is blank");
      }
      this.name = name;
      return this;
    }

    /** Creates {@code bucket} on every start; {@code start()} returns once it exists. */
    public Builder initialBucket(String bucket) {
      initialBuckets.add(requireBucketName(bucket));
      return this;
    }

    /** Listens for plain HTTP on this port instead of a free one. */
    public Builder port(int port) {
      this.port = Loopback.checkPort(port);
      return this;
    }

    /** Listens for HTTPS on this port instead of a free one. */
    public Builder httpsPort(int port) {
      this.httpsPort = Loopback.checkPort(port);
      return this;
    }

    /** Runs this S3Mock exec jar instead of the one Maven resolved for this module. */
    public Builder jar(Path jar) {
      this.jar = requireNonNull(jar, "jar is null");
      return this;
    }

    /** The server process's maximum heap, as {@code -Xmx} takes it (default {@code 256m}). */
    public Builder maxHeap(String maxHeap) {
      requireNonNull(maxHeap, "maxHeap is null");
      if (!maxHeap.matches("\\d+[kKmMgG]?")) {
        throw new IllegalArgumentException("maxHeap must be a size such as 256m: " + maxHeap);
      }
      this.maxHeap = maxHeap;
      return this;
    }

    /** How long {@code start()} waits for the server to answer (default 60 s). */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = requirePositive(timeout, "startupTimeout");
      return this;
    }

    /** How long {@code close()} waits for the process to exit (default 20 s). */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = requirePositive(timeout, "stopTimeout");
      return this;
    }

    /** Builds the server (choosing its ports now); call {@link S3Server#start()} next. */
    public S3Server build() {
      return new S3Server(this);
    }
  }
}
