package io.tributary.loadtests.internal;

/** The Prometheus text format, read only as far as summing one metric's samples needs. */
public record PrometheusText(String text) {
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
