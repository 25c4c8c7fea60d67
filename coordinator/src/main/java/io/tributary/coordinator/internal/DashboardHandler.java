package io.tributary.coordinator.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.TributaryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Serves the operations dashboard: one page and its script and style sheet, read once from the
 * class path. The page itself needs no token; its API calls carry one. Every answer forbids caching
 * without revalidation and carries a Content-Security-Policy that allows only this origin's script,
 * style and API, so that nothing injected into an event message can run. Anything else is a 404.
 */
public final class DashboardHandler implements HttpHandler {
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final String RESOURCES = "/io/tributary/coordinator/dashboard/";

  private record Asset(String contentType, String text) {}

  private final Map<String, Asset> assets;

  /** @throws TributaryException {@code INTERNAL} if a dashboard file is missing from the class path */
  public DashboardHandler() {
    Asset page = asset("index.html", "text/html; charset=utf-8");
    this.assets = Map.of(
        "/", page,
        "/dashboard", page,
        "/dashboard/", page,
        "/dashboard/app.js", asset("app.js", "text/javascript; charset=utf-8"),
        "/dashboard/app.css", asset("app.css", "text/css; charset=utf-8"));
  }

  @Override
  public void handle(HttpExchange httpExchange) throws IOException {
    ApiExchange exchange = new ApiExchange(httpExchange);
    try (httpExchange) {
      Asset asset = assets.get(exchange.rawPath());
      if (asset == null) {
        exchange.respondError(404, ErrorCode.CONFIG_INVALID.name(), "No route " + exchange.method() + " "
            + exchange.rawPath() + "; the dashboard is at /dashboard and the API under " + ApiHandler.API);
        return;
      }
      if (!exchange.method().equals("GET") && !exchange.method().equals("HEAD")) {
        exchange.addHeader("Allow", "GET, HEAD");
        exchange.respondError(405, ErrorCode.CONFIG_INVALID.name(), "Only GET is allowed on " + exchange.rawPath());
        return;
      }
      exchange.addHeader("Cache-Control", "no-cache");
      exchange.addHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
      exchange.addHeader("X-Content-Type-Options", "nosniff");
      exchange.addHeader("Referrer-Policy", "no-referrer");
      exchange.respondText(200, asset.contentType(), asset.text());
    }
  }

  private static Asset asset(String name, String contentType) {
    try (InputStream in = DashboardHandler.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new TributaryException(ErrorCode.INTERNAL, "The dashboard file " + RESOURCES + name
            + " is missing from the coordinator's class path; rebuild the coordinator");
      }
      return new Asset(contentType, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new TributaryException(ErrorCode.INTERNAL, "Cannot read the dashboard file " + RESOURCES + name, e);
    }
  }
}
