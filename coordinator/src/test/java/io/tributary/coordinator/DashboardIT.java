package io.tributary.coordinator;

import static io.tributary.coordinator.TestCoordinator.stage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.coordinator.client.HttpCoordinatorClient;
import io.tributary.coordinator.internal.ApiCodec;
import io.tributary.staging.SourcePosition;
import io.tributary.staging.TableId;
import io.tributary.staging.TributaryException;
import io.tributary.staging.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;

/**
 * The operations dashboard against a real coordinator, in a real headless Chromium driven through
 * the system's chromedriver: the token prompt, live table numbers, history, the event feed, filters,
 * an action the API refuses, and the stale marker once the coordinator is gone. Screenshots of each
 * step go to {@code target/dashboard-screenshots}.
 */
class DashboardIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String INSTALL = "apt-get update && apt-get install -y chromium chromium-driver";
  private static final Path TARGET = Path.of("target");
  private static final Path SCREENSHOTS = TARGET.resolve("dashboard-screenshots");
  private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(20);

  private static final TableId ORDERS = TableId.parse("shop.public.orders");
  private static final TableId CUSTOMERS = TableId.parse("shop.public.customers");
  private static final WriterId A = new WriterId("applier-a");
  private static final WriterId B = new WriterId("applier-b");
  private static final String ADMIN_TOKEN = "admin-token";
  private static final String VIEWER_TOKEN = "viewer-token";
  private static final String OPERATOR_TOKEN = "operator-token";

  @TempDir
  Path temp;

  private TestCoordinator coordinator;
  private ChromeDriver driver;
  private Path profile;

  @AfterEach
  void stop() throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
    if (coordinator != null) {
      coordinator.close();
    }
  }

  @Test
  void servesThePageWithoutATokenWithNoCachingAndAStrictContentSecurityPolicy() throws Exception {
    startCoordinator();
    URI base = coordinator.server().uri();

    for (String path : List.of("/", "/dashboard", "/dashboard/")) {
      HttpResponse<String> page = get(base + path, Optional.empty());
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
      assertStrictHeaders(page);
      assertThat(page.body()).contains("<title>Tributary coordinator</title>");
      // Every script comes from a file of this origin: no inline code, nothing from elsewhere.
      assertThat(Pattern.compile("<script(?![^>]*\\ssrc=\"/dashboard/)").matcher(page.body()).find()).isFalse();
      assertThat(page.body()).doesNotContain("://").doesNotContain(" style=");
      assertThat(Pattern.compile("\\son[a-z]+=").matcher(page.body()).find()).as("inline event handlers").isFalse();
    }
    HttpResponse<String> script = get(base + "/dashboard/app.js", Optional.empty());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
    assertStrictHeaders(script);
    assertThat(script.body()).doesNotContain("http://").doesNotContain("https://").doesNotContain("innerHTML")
        .doesNotContain("console.").doesNotContain("localStorage");
    HttpResponse<String> style = get(base + "/dashboard/app.css", Optional.empty());
    assertThat(style.statusCode()).isEqualTo(200);
    assertThat(style.headers().firstValue("Content-Type")).contains("text/css; charset=utf-8");
    assertStrictHeaders(style);

    for (String path : List.of("/dashboard/app.js.map", "/favicon.ico", "/api", "/index.html")) {
      HttpResponse<String> missing = get(base + path, Optional.empty());
      assertThat(missing.statusCode()).as(path).isEqualTo(404);
      assertThat(ApiCodec.MAPPER.readTree(missing.body()).get("message").asText()).contains("the dashboard is at /dashboard");
    }
    assertThat(send("POST", base + "/dashboard", "{}", Optional.empty()).statusCode()).isEqualTo(405);
    assertThat(send("HEAD", base + "/dashboard", null, Optional.empty()).statusCode()).isEqualTo(200);

    // The API beside it still wants its token.
    assertThat(get(base + "/api/v1/tables", Optional.empty()).statusCode()).isEqualTo(401);
    assertThat(get(base + "/api/v1/tables", Optional.of(VIEWER_TOKEN)).statusCode()).isEqualTo(200);
    assertThat(get(base + "/api/v1/nothing", Optional.of(VIEWER_TOKEN)).statusCode()).isEqualTo(404);
  }

  @Test
  void showsLiveTablesHistoryAndEventsAndTheApisRefusals() throws Exception {
    startCoordinator();
    HttpCoordinatorClient client = coordinator.client();
    Path orders = temp.resolve("orders");
    Path customers = temp.resolve("customers");
    coordinator.register(ORDERS, orders);
    coordinator.register(CUSTOMERS, customers);
    Lease ordersLease = client.acquireLease(ORDERS, A, Duration.ofMinutes(10));
    for (long version = 0; version <= 2; version++) {
      commit(ordersLease, orders, version, 10);
    }
    Lease fenced = client.acquireLease(CUSTOMERS, A, Duration.ofMinutes(10));
    Lease customersLease = client.acquireLease(CUSTOMERS, B, Duration.ofMinutes(10));
    commit(customersLease, customers, 0, 5);
    assertThatThrownBy(() -> commit(fenced, customers, 1, 5)).isInstanceOf(TributaryException.class)
        .hasMessageContaining("fenced");
    String refusal = client.events(EventQuery.latest().withTable(CUSTOMERS)
        .withTypes(Set.of(CoordinatorEvent.Type.COMMIT_REFUSED))).get(0).message();

    driver = startBrowser();
    driver.get(coordinator.server().uri() + "/dashboard");

    // The API answers 401: the page asks for a token, then shows the tables as they are.
    awaitPage(() -> assertThat(driver.findElement(By.id("token-dialog")).isDisplayed()).isTrue());
    screenshot("01-token-prompt");
    enterToken(VIEWER_TOKEN);
    awaitPage(() -> {
      assertThat(cell(ORDERS, "version")).isEqualTo("2");
      assertThat(cell(CUSTOMERS, "version")).isEqualTo("0");
      assertThat(cell(CUSTOMERS, "last-error")).startsWith("COMMIT_REFUSED: Version 1 by applier-a refused");
      assertThat(cellElement(CUSTOMERS, "last-error").getDomAttribute("title")).endsWith(": " + refusal);
      assertThat(text(By.cssSelector("[data-total='last-event']"))).isNotEqualTo("—");
    });
    assertThat(cell(ORDERS, "state")).isEqualTo("LEASED");
    assertThat(cell(ORDERS, "lease-holder")).isEqualTo("applier-a");
    assertThat(cell(ORDERS, "epoch")).isEqualTo("1");
    assertThat(cell(ORDERS, "applied-position")).isEqualTo(position(2).value());
    assertThat(cell(ORDERS, "last-error")).isEqualTo("—");
    assertThat(cell(CUSTOMERS, "lease-holder")).isEqualTo("applier-b");
    assertThat(cell(CUSTOMERS, "epoch")).isEqualTo("2");
    assertThat(text(By.cssSelector("#coordinator-state [data-field='state']"))).isEqualTo("READY (RUNNING)");
    assertThat(text(By.cssSelector("[data-total='tables']"))).isEqualTo("2");
    assertThat(text(By.cssSelector("[data-total='leased']"))).isEqualTo("2");
    assertThat(text(By.cssSelector("[data-total='ratified']"))).isEqualTo("4");
    assertThat(text(By.cssSelector("[data-total='refused']"))).isEqualTo("1");
    // The token lives in this tab's session storage only.
    assertThat(driver.getCurrentUrl()).doesNotContain(VIEWER_TOKEN);
    assertThat(driver.executeScript("return sessionStorage.getItem('tributary.dashboard.token')")).isEqualTo(VIEWER_TOKEN);
    assertThat(driver.executeScript("return localStorage.length + document.cookie.length")).isEqualTo(0L);
    screenshot("02-tables");

    driver.findElement(By.cssSelector("#tables tr[data-table-id='" + ORDERS + "'] button")).click();
    awaitPage(() -> assertThat(historyVersions()).containsExactly("2", "1", "0"));
    assertThat(text(By.cssSelector("#detail [data-field='table']"))).isEqualTo(ORDERS.canonical());
    assertThat(text(By.cssSelector("#history tbody tr[data-version='2']")))
        .contains("applier-a", position(2).value(), "PUBLISHED");
    screenshot("03-history");

    // New commits show up without a reload: the numbers, the history and the event feed follow.
    driver.executeScript("window.dashboardLoad = 'first'");
    long seen = client.events(EventQuery.latest().withLimit(1)).get(0).sequence();
    for (long version = 3; version <= 5; version++) {
      commit(ordersLease, orders, version, 25);
    }
    List<CoordinatorEvent> commits = client.events(EventQuery.latest().after(seen)
        .withTypes(Set.of(CoordinatorEvent.Type.COMMIT)));
    assertThat(commits).hasSize(3);
    awaitPage(() -> {
      assertThat(cell(ORDERS, "version")).isEqualTo("5");
      assertThat(cell(ORDERS, "applied-position")).isEqualTo(position(5).value());
      assertThat(historyVersions()).startsWith("5", "4", "3", "2");
      for (CoordinatorEvent commit : commits) {
        assertThat(text(By.cssSelector("#events li[data-sequence='" + commit.sequence() + "']")))
            .contains("COMMIT", ORDERS.canonical(), "version=" + commit.details().get("version"));
      }
      assertThat(Double.parseDouble(cell(ORDERS, "rows-per-second"))).isPositive();
      assertThat(text(By.cssSelector("[data-total='ratified']"))).isEqualTo("7");
    });
    assertThat(driver.executeScript("return window.dashboardLoad")).as("the page was not reloaded").isEqualTo("first");
    assertThat(cell(ORDERS, "version")).isEqualTo(String.valueOf(client.table(ORDERS).orElseThrow().version()));
    assertThat(driver.findElement(By.tagName("body")).getDomAttribute("data-live")).isEqualTo("true");
    assertThat(driver.findElement(By.id("stale")).isDisplayed()).isFalse();
    screenshot("04-live-update");

    Select type = new Select(driver.findElement(By.id("filter-type")));
    type.selectByValue("COMMIT_REFUSED");
    awaitPage(() -> assertThat(driver.findElements(By.cssSelector("#events li.event")))
        .extracting(item -> item.getDomAttribute("data-type")).containsExactly("COMMIT_REFUSED"));
    driver.executeScript("arguments[0].scrollIntoView()", driver.findElement(By.id("events-heading")));
    screenshot("05-events-filtered");
    type.selectByValue("");
    awaitPage(() -> assertThat(driver.findElements(By.cssSelector("#events li.event"))).hasSizeGreaterThan(10));

    // A viewer may not pause: the page shows what the API answered.
    driver.executeScript("arguments[0].scrollIntoView()", driver.findElement(By.id("detail-heading")));
    driver.findElement(By.id("pause-button")).click();
    awaitPage(() -> assertThat(driver.findElement(By.id("reason-dialog")).isDisplayed()).isTrue());
    driver.findElement(By.id("reason-input")).sendKeys("maintenance window");
    driver.findElement(By.id("reason-submit")).click();
    awaitPage(() -> assertThat(driver.findElement(By.id("action-message")).getDomAttribute("data-status")).isNotEmpty());
    HttpResponse<String> refused = send("POST", coordinator.server().uri() + "/api/v1/tables/" + ORDERS + "/pause",
        "{\"reason\":\"maintenance window\"}", Optional.of(VIEWER_TOKEN));
    assertThat(refused.statusCode()).isEqualTo(403);
    String message = ApiCodec.MAPPER.readTree(refused.body()).get("message").asText();
    assertThat(driver.findElement(By.id("action-message")).getDomAttribute("data-status"))
        .isEqualTo(String.valueOf(refused.statusCode()));
    assertThat(text(By.id("action-message"))).contains("HTTP " + refused.statusCode()).contains(message);
    assertThat(cell(ORDERS, "state")).isEqualTo("LEASED");
    screenshot("06-pause-refused");

    // Another token: a refused one is forgotten and asked for again.
    driver.findElement(By.id("change-token")).click();
    enterToken("not-a-token");
    awaitPage(() -> assertThat(text(By.id("token-reason"))).contains("did not accept that token"));
    assertThat(driver.executeScript("return sessionStorage.getItem('tributary.dashboard.token')")).isNull();
    enterToken(OPERATOR_TOKEN);
    awaitPage(() -> {
      assertThat(driver.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
      assertThat(driver.findElement(By.tagName("body")).getDomAttribute("data-live")).isEqualTo("true");
    });
    assertThat(driver.executeScript("return sessionStorage.getItem('tributary.dashboard.token')")).isEqualTo(OPERATOR_TOKEN);

    // The operator pauses the table from the page, and the coordinator then refuses its commits.
    driver.findElement(By.id("pause-button")).click();
    awaitPage(() -> assertThat(driver.findElement(By.id("reason-dialog")).isDisplayed()).isTrue());
    driver.findElement(By.id("reason-input")).sendKeys("maintenance window");
    driver.findElement(By.id("reason-submit")).click();
    awaitPage(() -> {
      assertThat(cell(ORDERS, "state")).isEqualTo("PAUSED");
      assertThat(driver.findElement(By.id("pause-button")).isEnabled()).isFalse();
      assertThat(driver.findElements(By.cssSelector("#events li.event[data-type='TABLE_PAUSED']"))).isNotEmpty();
    });
    assertThat(coordinator.client().table(ORDERS).orElseThrow().pausedReason()).contains("maintenance window");
    screenshot("07-paused");
    driver.findElement(By.id("resume-button")).click();
    awaitPage(() -> assertThat(driver.findElement(By.id("reason-dialog")).isDisplayed()).isTrue());
    driver.findElement(By.id("reason-input")).sendKeys("window over");
    driver.findElement(By.id("reason-submit")).click();
    awaitPage(() -> assertThat(cell(ORDERS, "state")).isEqualTo("LEASED"));
    assertThat(coordinator.client().table(ORDERS).orElseThrow().paused()).isFalse();

    // A rollback also asks for the version; the coordinator's refusal is shown as it answered.
    long latest = coordinator.client().table(ORDERS).orElseThrow().version();
    driver.findElement(By.id("rollback-button")).click();
    awaitPage(() -> assertThat(driver.findElement(By.id("version-input")).isDisplayed()).isTrue());
    driver.findElement(By.id("version-input")).sendKeys(Long.toString(latest + 1));
    driver.findElement(By.id("reason-input")).sendKeys("bad batch");
    driver.findElement(By.id("reason-submit")).click();
    awaitPage(() -> assertThat(driver.findElement(By.id("action-message")).getDomAttribute("data-status")).isEqualTo("400"));
    assertThat(text(By.id("action-message"))).contains("Rollback refused (HTTP 400 CONFIG_INVALID)")
        .contains("choose a version from 0 to " + (latest - 1));
    assertThat(coordinator.client().table(ORDERS).orElseThrow().version()).isEqualTo(latest);
    screenshot("08-rollback-refused");

    // A resync is requested from the page; the detail shows where it stands and the button waits for it.
    driver.findElement(By.id("resync-button")).click();
    awaitPage(() -> assertThat(driver.findElement(By.id("reason-dialog")).isDisplayed()).isTrue());
    driver.findElement(By.id("reason-input")).sendKeys("rows diverged");
    driver.findElement(By.id("reason-submit")).click();
    awaitPage(() -> {
      assertThat(driver.findElement(By.id("action-message")).getDomAttribute("data-status")).isEqualTo("200");
      assertThat(text(By.cssSelector("[data-field='resync']"))).startsWith("REQUESTED since").contains("rows diverged");
      assertThat(driver.findElement(By.id("resync-button")).isEnabled()).isFalse();
    });
    assertThat(coordinator.client().table(ORDERS).orElseThrow().resync())
        .hasValueSatisfying(resync -> assertThat(resync.state()).isEqualTo(Resync.State.REQUESTED));
    screenshot("09-resync-requested");

    List<String> console = browserLog();
    assertThat(console).as("the console is captured").anyMatch(line -> line.contains("/api/v1/tables") && line.contains("401"));
    assertThat(console).as("no Content-Security-Policy violation")
        .noneMatch(line -> line.contains("Content Security Policy") || line.contains("Content-Security-Policy"));

    // Once the coordinator is gone the page says its numbers are no longer live.
    coordinator.close();
    coordinator = null;
    awaitPage(() -> {
      assertThat(driver.findElement(By.tagName("body")).getDomAttribute("data-live")).isEqualTo("false");
      assertThat(text(By.id("stale"))).startsWith("Not live (last updated ");
    });
    assertThat(cell(ORDERS, "version")).isEqualTo("5");
    driver.executeScript("window.scrollTo(0, 0)");
    screenshot("09-not-live");
  }

  private void startCoordinator() {
    CoordinatorConfig config = CoordinatorConfig.local(temp.resolve("coordinator"))
        .withAuthToken(new Secret(ADMIN_TOKEN))
        .withRoleToken(Role.VIEWER, new Secret(VIEWER_TOKEN))
        .withRoleToken(Role.OPERATOR, new Secret(OPERATOR_TOKEN));
    coordinator = TestCoordinator.start(config, Clock.systemUTC());
  }

  private void commit(Lease lease, Path table, long version, long rows) {
    coordinator.client().commit(new CommitProposal(lease.tableId(), lease.writer(), lease.epoch(), version,
        stage(table, version, "{\"commitInfo\":{}}\n"), Optional.of(position(version)),
        List.of(URI.create("file:/staging/" + lease.tableId().table() + "/seg-" + version + ".parquet")), rows));
  }

  private static SourcePosition position(long version) {
    return SourcePosition.of(SourcePosition.PHASE_STREAM, 100 + version);
  }

  private ChromeDriver startBrowser() throws IOException {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as("The dashboard test drives %s through %s; install them with: %s", CHROMIUM, CHROMEDRIVER, INSTALL)
        .isTrue();
    profile = Files.createTempDirectory(Files.createDirectories(TARGET.resolve("dashboard-chromium")), "profile-");
    // The driver's path is given, so Selenium looks nothing up and downloads nothing.
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .withLogFile(TARGET.resolve("dashboard-chromedriver.log").toFile())
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1400,1300");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
    return new ChromeDriver(service, options);
  }

  private void enterToken(String token) {
    awaitPage(() -> assertThat(driver.findElement(By.id("token-dialog")).isDisplayed()).isTrue());
    driver.findElement(By.id("token-input")).sendKeys(token);
    driver.findElement(By.id("token-submit")).click();
  }

  private String cell(TableId table, String field) {
    return cellElement(table, field).getDomProperty("textContent").trim();
  }

  private WebElement cellElement(TableId table, String field) {
    return driver.findElement(By.cssSelector("#tables tr[data-table-id='" + table + "'] [data-field='" + field + "']"));
  }

  private String text(By by) {
    return driver.findElement(by).getDomProperty("textContent").trim();
  }

  private List<String> historyVersions() {
    return driver.findElements(By.cssSelector("#history tbody tr")).stream()
        .map(row -> row.getDomAttribute("data-version")).toList();
  }

  private List<String> browserLog() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage).toList();
  }

  private static void awaitPage(ThrowingRunnable assertion) {
    await().atMost(PAGE_TIMEOUT).pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsInstanceOf(NoSuchElementException.class)
        .ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
        .untilAsserted(assertion);
  }

  private void screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
  }

  private static void assertStrictHeaders(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-cache");
    assertThat(response.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
        .doesNotContain("unsafe-inline", "unsafe-eval", "http");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
  }

  private static HttpResponse<String> get(String uri, Optional<String> token) throws Exception {
    return send("GET", uri, null, token);
  }

  private static HttpResponse<String> send(String method, String uri, String body, Optional<String> token)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
