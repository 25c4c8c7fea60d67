package io.tributary.loadtests.internal;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * Plain SVG charts for the benchmarks' {@code plot.svg}: line charts of series over time and bar
 * charts of medians with each run's figure marked, drawn as panels of one document. No dependency:
 * a browser, an editor or GitHub renders them.
 */
public final class SvgChart {
  private static final String FONT = "font-family=\"sans-serif\"";
  private static final double MARGIN_LEFT = 70;
  private static final double MARGIN_RIGHT = 20;
  private static final double MARGIN_TOP = 40;
  private static final double MARGIN_BOTTOM = 50;

  /** A line through {@code points} ({x, y} pairs); with {@code markers}, a dot at each point instead. */
  public record Series(String name, String color, List<double[]> points, boolean markers) {
    public Series {
      requireNonNull(name, "name is null");
      requireNonNull(color, "color is null");
      points = List.copyOf(points);
    }
  }

  /** A dashed horizontal line across a line chart, such as a limit. */
  public record Level(String name, String color, double y) {}

  /** A dotted vertical line across a line chart: a moment. */
  public record Mark(String name, String color, double x) {}

  /** A bar: its height, and each run's figure drawn as a dot on it. */
  public record Bar(String label, String color, double value, List<Double> runs) {
    public Bar {
      requireNonNull(label, "label is null");
      requireNonNull(color, "color is null");
      runs = List.copyOf(runs);
    }
  }

  private SvgChart() {}

  /** An SVG document of {@code width} by {@code height} holding {@code panels}. */
  public static String document(double width, double height, List<String> panels) {
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(number(width)).append("\" height=\"")
        .append(number(height)).append("\" viewBox=\"0 0 ").append(number(width)).append(' ').append(number(height))
        .append("\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    panels.forEach(svg::append);
    return svg.append("</svg>\n").toString();
  }

  /** A line chart panel at ({@code x}, {@code y}) of {@code width} by {@code height}. */
  public static String lineChart(double x, double y, double width, double height, String title, String xLabel,
      String yLabel, List<Series> series, List<Level> levels, List<Mark> marks) {
    double xMax = 0;
    double yMax = 0;
    for (Series each : series) {
      for (double[] point : each.points()) {
        xMax = Math.max(xMax, point[0]);
        yMax = Math.max(yMax, point[1]);
      }
    }
    for (Level level : levels) {
      yMax = Math.max(yMax, level.y());
    }
    for (Mark mark : marks) {
      xMax = Math.max(xMax, mark.x());
    }
    Axis xAxis = Axis.upTo(xMax);
    Axis yAxis = Axis.upTo(yMax * 1.05);
    Frame frame = new Frame(x + MARGIN_LEFT, y + MARGIN_TOP, width - MARGIN_LEFT - MARGIN_RIGHT,
        height - MARGIN_TOP - MARGIN_BOTTOM, xAxis, yAxis);
    StringBuilder svg = new StringBuilder();
    svg.append(frame.draw(title, xLabel, yLabel, true));
    for (Level level : levels) {
      double ly = frame.py(level.y());
      svg.append(line(frame.left, ly, frame.left + frame.width, ly, level.color(), "stroke-dasharray=\"6 4\""));
      svg.append(text(frame.left + frame.width - 4, ly - 4, level.name() + " " + number(level.y()), 11, level.color(), "end"));
    }
    for (Mark mark : marks) {
      double mx = frame.px(mark.x());
      svg.append(line(mx, frame.top, mx, frame.top + frame.height, mark.color(), "stroke-dasharray=\"2 3\""));
      svg.append(text(mx + 4, frame.top + frame.height - 6, mark.name(), 11, mark.color(), "start"));
    }
    for (Series each : series) {
      if (each.markers()) {
        for (double[] point : each.points()) {
          svg.append("<circle cx=\"").append(number(frame.px(point[0]))).append("\" cy=\"")
              .append(number(frame.py(point[1]))).append("\" r=\"2.5\" fill=\"").append(each.color()).append("\"/>\n");
        }
      } else if (!each.points().isEmpty()) {
        svg.append("<polyline fill=\"none\" stroke=\"").append(each.color()).append("\" stroke-width=\"1.8\" points=\"");
        for (double[] point : each.points()) {
          svg.append(number(frame.px(point[0]))).append(',').append(number(frame.py(point[1]))).append(' ');
        }
        svg.append("\"/>\n");
      }
    }
    svg.append(legend(frame, series.stream().map(s -> new String[] {s.name(), s.color()}).toList()));
    return svg.toString();
  }

  /** A bar chart panel at ({@code x}, {@code y}) of {@code width} by {@code height}. */
  public static String barChart(double x, double y, double width, double height, String title, String yLabel,
      List<Bar> bars) {
    double yMax = 0;
    for (Bar bar : bars) {
      yMax = Math.max(yMax, bar.value());
      for (double run : bar.runs()) {
        yMax = Math.max(yMax, run);
      }
    }
    Axis yAxis = Axis.upTo(yMax * 1.1);
    Frame frame = new Frame(x + MARGIN_LEFT, y + MARGIN_TOP, width - MARGIN_LEFT - MARGIN_RIGHT,
        height - MARGIN_TOP - MARGIN_BOTTOM, new Axis(0, 1, 1), yAxis);
    StringBuilder svg = new StringBuilder(frame.draw(title, "", yLabel, false));
    double slot = frame.width / Math.max(1, bars.size());
    for (int i = 0; i < bars.size(); i++) {
      Bar bar = bars.get(i);
      double left = frame.left + slot * i + slot * 0.2;
      double top = frame.py(bar.value());
      svg.append("<rect x=\"").append(number(left)).append("\" y=\"").append(number(top)).append("\" width=\"")
          .append(number(slot * 0.6)).append("\" height=\"").append(number(frame.top + frame.height - top))
          .append("\" fill=\"").append(bar.color()).append("\" fill-opacity=\"0.8\"/>\n");
      svg.append(text(left + slot * 0.3, top - 6, label(bar.value()), 12, "#222", "middle"));
      svg.append(text(left + slot * 0.3, frame.top + frame.height + 18, bar.label(), 12, "#222", "middle"));
      for (int run = 0; run < bar.runs().size(); run++) {
        double cx = left + slot * 0.6 * (run + 1) / (bar.runs().size() + 1);
        svg.append("<circle cx=\"").append(number(cx)).append("\" cy=\"").append(number(frame.py(bar.runs().get(run))))
            .append("\" r=\"3.5\" fill=\"white\" stroke=\"#222\"/>\n");
      }
    }
    return svg.toString();
  }

  /** An axis from 0 to {@code max} with ticks every {@code step}. */
  private record Axis(double min, double max, double step) {
    static Axis upTo(double value) {
      double max = value <= 0 ? 1 : value;
      double magnitude = Math.pow(10, Math.floor(Math.log10(max / 5)));
      double step = magnitude;
      for (double factor : new double[] {1, 2, 2.5, 5, 10}) {
        step = magnitude * factor;
        if (max / step <= 6) {
          break;
        }
      }
      return new Axis(0, Math.ceil(max / step) * step, step);
    }
  }

  private record Frame(double left, double top, double width, double height, Axis xAxis, Axis yAxis) {
    double px(double value) {
      return left + (value - xAxis.min()) / (xAxis.max() - xAxis.min()) * width;
    }

    double py(double value) {
      return top + height - (value - yAxis.min()) / (yAxis.max() - yAxis.min()) * height;
    }

    String draw(String title, String xLabel, String yLabel, boolean xTicks) {
      StringBuilder svg = new StringBuilder();
      svg.append(text(left, top - 16, title, 15, "#111", "start"));
      for (double tick = yAxis.min(); tick <= yAxis.max() + yAxis.step() / 2; tick += yAxis.step()) {
        double ty = py(tick);
        svg.append(line(left, ty, left + width, ty, "#e4e4e4", ""));
        svg.append(text(left - 6, ty + 4, number(tick), 11, "#444", "end"));
      }
      if (xTicks) {
        for (double tick = xAxis.min(); tick <= xAxis.max() + xAxis.step() / 2; tick += xAxis.step()) {
          double tx = px(tick);
          svg.append(line(tx, top + height, tx, top + height + 4, "#444", ""));
          svg.append(text(tx, top + height + 17, number(tick), 11, "#444", "middle"));
        }
      }
      svg.append(line(left, top + height, left + width, top + height, "#444", ""));
      svg.append(line(left, top, left, top + height, "#444", ""));
      svg.append(text(left + width / 2, top + height + 38, xLabel, 12, "#222", "middle"));
      svg.append("<text x=\"").append(number(left - 52)).append("\" y=\"").append(number(top + height / 2))
          .append("\" font-size=\"12\" fill=\"#222\" text-anchor=\"middle\" ").append(FONT)
          .append(" transform=\"rotate(-90 ").append(number(left - 52)).append(' ').append(number(top + height / 2))
          .append(")\">").append(escape(yLabel)).append("</text>\n");
      return svg.toString();
    }
  }

  private static String legend(Frame frame, List<String[]> entries) {
    StringBuilder svg = new StringBuilder();
    double ly = frame.top + 12;
    for (String[] entry : entries) {
      svg.append("<rect x=\"").append(number(frame.left + 10)).append("\" y=\"").append(number(ly - 9))
          .append("\" width=\"12\" height=\"4\" fill=\"").append(entry[1]).append("\"/>\n");
      svg.append(text(frame.left + 28, ly - 3, entry[0], 11, "#222", "start"));
      ly += 15;
    }
    return svg.toString();
  }

  private static String line(double x1, double y1, double x2, double y2, String color, String extra) {
    return "<line x1=\"" + number(x1) + "\" y1=\"" + number(y1) + "\" x2=\"" + number(x2) + "\" y2=\"" + number(y2)
        + "\" stroke=\"" + color + "\" " + extra + "/>\n";
  }

  private static String text(double x, double y, String content, int size, String color, String anchor) {
    return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" font-size=\"" + size + "\" fill=\"" + color
        + "\" text-anchor=\"" + anchor + "\" " + FONT + ">" + escape(content) + "</text>\n";
  }

  /** A figure as a label: thousands grouped and no decimals from 100 up, one decimal below. */
  static String label(double value) {
    return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
  }

  /** A number as short as it can be written: integers without decimals, others with at most two. */
  static String number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    String text = String.format(Locale.ROOT, "%.2f", value);
    return text.replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
