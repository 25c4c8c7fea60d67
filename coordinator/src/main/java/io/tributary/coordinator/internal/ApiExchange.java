package io.tributary.coordinator.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One HTTP exchange of the API: reads a bounded JSON body and answers with JSON or text. */
final class ApiExchange {
  static final int MAX_BODY_BYTES = 1 << 20;

  private final HttpExchange exchange;

  ApiExchange(HttpExchange exchange) {
    this.exchange = exchange;
  }

  String method() {
    return exchange.getRequestMethod();
  }

  /** The raw (still percent-encoded) path. */
  String rawPath() {
    return exchange.getRequestURI().getRawPath();
  }

  /** The decoded query parameters; a repeated parameter keeps its last value. */
  Map<String, String> queryParameters() {
    String raw = exchange.getRequestURI().getRawQuery();
    Map<String, String> parameters = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return parameters;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
      String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
      parameters.put(name, value);
    }
    return parameters;
  }

  String header(String name) {
    String value = exchange.getRequestHeaders().getFirst(name);
    return value == null ? "" : value;
  }

  /** The request body as a JSON object. */
  JsonNode body() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (InputStream in = exchange.getRequestBody()) {
      byte[] buffer = new byte[8192];
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        bytes.write(buffer, 0, read);
        if (bytes.size() > MAX_BODY_BYTES) {
          throw CoordinatorErrors.invalidRequest("the request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
      }
    }
    if (bytes.size() == 0) {
      throw CoordinatorErrors.invalidRequest("the request needs a JSON body");
    }
    try {
      JsonNode node = ApiCodec.MAPPER.readTree(bytes.toByteArray());
      if (node == null || !node.isObject()) {
        throw CoordinatorErrors.invalidRequest("the request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw CoordinatorErrors.invalidRequest("the request body is not JSON: " + e.getOriginalMessage());
    }
  }

  void respond(int status, JsonNode body) throws IOException {
    send(status, "application/json", ApiCodec.MAPPER.writeValueAsBytes(body));
  }

  void respondError(int status, String code, String message) throws IOException {
    respond(status, ApiCodec.error(code, message));
  }

  void respondText(int status, String contentType, String text) throws IOException {
    send(status, contentType, text.getBytes(StandardCharsets.UTF_8));
  }

  void addHeader(String name, String value) {
    exchange.getResponseHeaders().add(name, value);
  }

  private void send(int status, String contentType, byte[] bytes) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    // No keep-alive: a pooled connection that the server closes while idle would make the next
    // request fail after it may have been sent, which for a commit means an unknown outcome.
    exchange.getResponseHeaders().set("Connection", "close");
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
