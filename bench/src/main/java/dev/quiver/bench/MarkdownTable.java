package dev.quiver.bench;

import java.util.ArrayList;
import java.util.List;

/** Renders a GitHub-flavoured Markdown table, padded so it also reads well in a terminal. */
final class MarkdownTable {

  private final List<String> headers;
  private final boolean[] rightAlign;
  private final List<List<String>> rows = new ArrayList<>();

  /**
   * @param headers column titles; a title starting with '&gt;' is right-aligned (the '&gt;' is dropped)
   */
  MarkdownTable(String... headers) {
    this.headers = new ArrayList<>();
    this.rightAlign = new boolean[headers.length];
    for (int i = 0; i < headers.length; i++) {
      rightAlign[i] = headers[i].startsWith(">");
      this.headers.add(rightAlign[i] ? headers[i].substring(1) : headers[i]);
    }
  }

  MarkdownTable row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
    }
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(escape(c == null ? "" : c.toString()));
    }
    rows.add(r);
    return this;
  }

  int size() {
    return rows.size();
  }

  static String escape(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

  String render() {
    int[] w = new int[headers.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.max(3, headers.get(i).length());
      for (List<String> r : rows) {
        w[i] = Math.max(w[i], r.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, headers, w);
    sb.append('|');
    for (int i = 0; i < w.length; i++) {
      sb.append(rightAlign[i] ? " " + "-".repeat(w[i] - 1) + ": |" : " " + "-".repeat(w[i]) + " |");
    }
    sb.append('\n');
    for (List<String> r : rows) {
      line(sb, r, w);
    }
    return sb.toString();
  }

  private void line(StringBuilder sb, List<String> cells, int[] w) {
    sb.append('|');
    for (int i = 0; i < w.length; i++) {
      String c = cells.get(i);
      String pad = " ".repeat(w[i] - c.length());
      sb.append(' ').append(rightAlign[i] ? pad + c : c + pad).append(" |");
    }
    sb.append('\n');
  }
}
