package io.tributary.loadtests.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The Prometheus text format, read only as far as summing one metric's samples needs. */
public record PrometheusText(String text) {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * The {@code /metrics} a process at {@code base} serves now; empty when they cannot be read
   * within {@code timeout} (a process starting, stopping or gone).
   */
  public static Optional<PrometheusText> scrape(URI base, Duration timeout) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics")).timeout(timeout).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(new PrometheusText(response.body())) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
  /** The sum of every sample of {@code metric}, 0 if it has none. */
  public double sum(String metric) {
    return sum(metric, "");
  }

  /** The sum of every sample of {@code metric} whose labels contain {@code labelMatch} (may be empty). */
  public double sum(String metric, String labelMatch) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if (!line.startsWith(metric) || line.length() == metric.length()) {
        continue;
      }
      char next = line.charAt(metric.length());
      if (next != '{' && next != ' ') {
        continue;
      }
      int valueStart = line.lastIndexOf(' ');
      String labels = line.substring(metric.length(), valueStart);
      if (labels.contains(labelMatch)) {
        sum += Double.parseDouble(line.substring(valueStart + 1));
      }
    }
    return sum;
  }
}
