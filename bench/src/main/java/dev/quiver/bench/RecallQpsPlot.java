package dev.quiver.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws recall@10 (x) against queries/second (y, log scale) with one line per engine and a legend,
 * with java.awt in headless mode, to a PNG.
 */
final class RecallQpsPlot {

  /** One line: a label and its points as {recall, qps}. */
  record Series(String label, List<double[]> points) {}

  private static final Color[] COLORS = {
      new Color(0xd6, 0x27, 0x28), new Color(0x1f, 0x77, 0xb4), new Color(0x2c, 0xa0, 0x2c),
      new Color(0xff, 0x7f, 0x0e), new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b),
      new Color(0xe3, 0x77, 0xc2), new Color(0x7f, 0x7f, 0x7f), new Color(0xbc, 0xbd, 0x22),
      new Color(0x17, 0xbe, 0xcf)};

  private RecallQpsPlot() {}

  static void write(Path png, String title, String yLabel, List<Series> series) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int width = 1000;
    int height = 650;
    int left = 90;
    int right = 300;
    int top = 50;
    int bottom = 70;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);

      double minR = 1;
      double minQ = Double.MAX_VALUE;
      double maxQ = 0;
      for (Series s : series) {
        for (double[] p : s.points()) {
          if (p[1] > 0) {
            minR = Math.min(minR, p[0]);
            minQ = Math.min(minQ, p[1]);
            maxQ = Math.max(maxQ, p[1]);
          }
        }
      }
      if (maxQ == 0) {
        minQ = 1;
        maxQ = 10;
      }
      double x0 = Math.max(0, Math.floor(Math.min(minR, 0.95) * 20) / 20);
      double x1 = 1.0;
      double y0 = Math.pow(10, Math.floor(Math.log10(minQ)));
      double y1 = Math.pow(10, Math.ceil(Math.log10(maxQ)));
      if (y1 <= y0) {
        y1 = y0 * 10;
      }
      int pw = width - left - right;
      int ph = height - top - bottom;
      final double fx0 = x0;
      final double fy0 = y0;
      final double fy1 = y1;
      java.util.function.DoubleUnaryOperator px = r -> left + (r - fx0) / (x1 - fx0) * pw;
      java.util.function.DoubleUnaryOperator py =
          q -> top + ph - (Math.log10(q) - Math.log10(fy0)) / (Math.log10(fy1) - Math.log10(fy0)) * ph;

      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      FontMetrics fm = g.getFontMetrics();
      // grid and ticks
      for (int i = 0; i <= 10; i++) {
        double r = x0 + (x1 - x0) * i / 10;
        int x = (int) px.applyAsDouble(r);
        g.setColor(new Color(230, 230, 230));
        g.drawLine(x, top, x, top + ph);
        g.setColor(Color.DARK_GRAY);
        String t = String.format(java.util.Locale.ROOT, x1 - x0 < 0.2 ? "%.3f" : "%.2f", r);
        g.drawString(t, x - fm.stringWidth(t) / 2, top + ph + 18);
      }
      for (double q = y0; q <= y1 * 1.0001; q *= 10) {
        int y = (int) py.applyAsDouble(q);
        g.setColor(new Color(215, 215, 215));
        g.drawLine(left, y, left + pw, y);
        for (int m = 2; m < 10 && q * m < y1; m++) {
          int ym = (int) py.applyAsDouble(q * m);
          g.setColor(new Color(242, 242, 242));
          g.drawLine(left, ym, left + pw, ym);
        }
        g.setColor(Color.DARK_GRAY);
        String t = q >= 1 ? String.format(java.util.Locale.ROOT, "%,.0f", q) : String.valueOf(q);
        g.drawString(t, left - 8 - fm.stringWidth(t), y + 4);
      }
      g.setColor(Color.BLACK);
      g.setStroke(new BasicStroke(1.5f));
      g.drawRect(left, top, pw, ph);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
      g.drawString(title, left, top - 18);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      fm = g.getFontMetrics();
      String xl = "recall@10";
      g.drawString(xl, left + pw / 2 - fm.stringWidth(xl) / 2, height - 25);
      Graphics2D gr = (Graphics2D) g.create();
      gr.rotate(-Math.PI / 2);
      gr.drawString(yLabel, -(top + ph / 2 + fm.stringWidth(yLabel) / 2), 25);
      gr.dispose();

      // lines
      int li = 0;
      int ly = top + 10;
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      for (Series s : series) {
        Color c = COLORS[li % COLORS.length];
        float[] dash = li >= COLORS.length ? new float[] {6f, 4f} : null;
        g.setColor(c);
        g.setStroke(dash == null ? new BasicStroke(2f) : new BasicStroke(2f, BasicStroke.CAP_BUTT,
            BasicStroke.JOIN_MITER, 10f, dash, 0f));
        // points stay in sweep order (ascending ef), so noise shows as a kink, not a re-ordered line
        List<double[]> pts = s.points().stream().filter(p -> p[1] > 0).toList();
        int prevX = -1;
        int prevY = -1;
        for (double[] p : pts) {
          int x = (int) px.applyAsDouble(Math.max(x0, p[0]));
          int y = (int) py.applyAsDouble(p[1]);
          if (prevX >= 0) {
            g.drawLine(prevX, prevY, x, y);
          }
          g.fillOval(x - 4, y - 4, 8, 8);
          prevX = x;
          prevY = y;
        }
        // legend entry
        int lx = left + pw + 20;
        g.drawLine(lx, ly, lx + 24, ly);
        g.fillOval(lx + 8, ly - 4, 8, 8);
        g.setColor(Color.BLACK);
        String label = s.label() + (pts.isEmpty() ? " (no data)" : "");
        g.drawString(label.length() > 38 ? label.substring(0, 37) + "…" : label, lx + 32, ly + 4);
        ly += 22;
        li++;
      }
    } finally {
      g.dispose();
    }
    Files.createDirectories(png.toAbsolutePath().getParent());
    if (!ImageIO.write(img, "png", png.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }
}
