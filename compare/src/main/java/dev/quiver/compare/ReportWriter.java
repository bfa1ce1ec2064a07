package dev.quiver.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a {@link Report} as {@code report.json}, {@code report.md} and {@code report.html} (one
 * self-contained page: Chart.js and the data are inlined; no external scripts, styles or fonts).
 */
public final class ReportWriter {

  /** The JSON file's name. */
  public static final String JSON = "report.json";
  /** The Markdown file's name. */
  public static final String MARKDOWN = "report.md";
  /** The HTML file's name. */
  public static final String HTML = "report.html";

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportWriter() {}

  /**
   * @param report the report
   * @param dir the directory (created if missing)
   * @return the three files written
   * @throws IOException if writing fails
   */
  public static List<Path> write(Report report, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path json = dir.resolve(JSON);
    Path md = dir.resolve(MARKDOWN);
    Path html = dir.resolve(HTML);
    Files.writeString(json, json(report) + "\n", StandardCharsets.UTF_8);
    Files.writeString(md, markdown(report), StandardCharsets.UTF_8);
    Files.writeString(html, html(report), StandardCharsets.UTF_8);
    return List.of(json, md, html);
  }

  /**
   * @param report the report
   * @return it as JSON
   */
  public static String json(Report report) {
    try {
      return MAPPER.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report as JSON", e);
    }
  }

  /**
   * @param report the report
   * @return it as Markdown
   */
  public static String markdown(Report report) {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(report.title()).append("\n\n");
    sb.append("Started ").append(report.createdAt()).append(". Dataset: ").append(report.dataset().source())
        .append(", SHA-256 `").append(report.dataset().sha256()).append("`.\n");
    for (String note : report.notes()) {
      sb.append("\n> ").append(note).append('\n');
    }
    for (ReportTables.Table t : ReportTables.tables(report)) {
      sb.append("\n## ").append(t.title()).append("\n\n").append(t.intro()).append("\n");
      if (t.rows().isEmpty()) {
        continue;
      }
      sb.append("\n| ").append(String.join(" | ", t.header())).append(" |\n|");
      sb.append(" --- |".repeat(t.header().size())).append('\n');
      for (List<ReportTables.Cell> row : t.rows()) {
        sb.append('|');
        for (ReportTables.Cell c : row) {
          String text = c.text().replace("|", "\\|").replace("\n", " ");
          sb.append(' ').append(switch (c.mark()) {
            case GOOD -> "✓ " + text;
            case BAD -> "**✗ " + text + "**";
            case NONE -> text;
          }).append(" |");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * @param report the report
   * @return it as one self-contained HTML page with charts
   */
  public static String html(Report report) {
    StringBuilder sb = new StringBuilder(300_000);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        .append(esc(report.title())).append("</title>\n<style>\n").append(resource("report.css")).append("</style>\n")
        .append("</head>\n<body>\n<h1>").append(esc(report.title())).append("</h1>\n<p class=\"meta\">Started ")
        .append(esc(report.createdAt())).append(" · dataset ").append(esc(report.dataset().source()))
        .append(" · SHA-256 <code>").append(esc(report.dataset().sha256())).append("</code></p>\n");
    for (String note : report.notes()) {
      sb.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
    }
    sb.append("<section class=\"charts\">\n");
    for (String[] chart : new String[][] {{"chart-recall", "Recall versus throughput"},
        {"chart-latency", "Latency distribution (concurrency 1, no filter)"},
        {"chart-correctness", "Correctness per store (count, list and search checks)"},
        {"chart-overhead", "Adapter overhead: Quiver versus the vendor SDK (p50)"}}) {
      sb.append("<figure><figcaption>").append(chart[1]).append("</figcaption><div class=\"box\"><canvas id=\"")
          .append(chart[0]).append("\"></canvas></div></figure>\n");
    }
    sb.append("</section>\n");
    for (ReportTables.Table t : ReportTables.tables(report)) {
      sb.append("<h2>").append(esc(t.title())).append("</h2>\n<p>").append(esc(t.intro())).append("</p>\n");
      if (t.rows().isEmpty()) {
        continue;
      }
      sb.append("<table>\n<thead><tr>");
      t.header().forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
      sb.append("</tr></thead>\n<tbody>\n");
      for (List<ReportTables.Cell> row : t.rows()) {
        sb.append("<tr>");
        for (ReportTables.Cell c : row) {
          sb.append(switch (c.mark()) {
            case GOOD -> "<td class=\"good\">";
            case BAD -> "<td class=\"bad\">";
            case NONE -> "<td>";
          }).append(esc(c.text())).append("</td>");
        }
        sb.append("</tr>\n");
      }
      sb.append("</tbody></table>\n");
    }
    sb.append("<script type=\"application/json\" id=\"quiver-report\">")
        .append(json(report).replace("<", "\\u003c")).append("</script>\n");
    sb.append("<script>\n").append(chartJs()).append("\n</script>\n");
    sb.append("<script>\n").append(resource("report.js")).append("</script>\n</body>\n</html>\n");
    return sb.toString();
  }

  /** @return Chart.js's UMD bundle from its WebJar */
  static String chartJs() {
    String path = "/META-INF/resources/webjars/chart.js/" + Versions.get("chart.js") + "/dist/chart.umd.min.js";
    try (InputStream in = ReportWriter.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("Chart.js is missing from the classpath: " + path
            + " (the org.webjars.npm:chart.js dependency)");
      }
      String js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (js.toLowerCase(java.util.Locale.ROOT).contains("</script")) {
        throw new IllegalStateException("Chart.js contains '</script' and cannot be inlined as is");
      }
      return js;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = ReportWriter.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
