package dev.quiver.compare;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress bars for the long steps, written to a stream (stderr for the command). On a terminal
 * one line is redrawn in place at most every 200 ms; elsewhere (a log file, CI) a line is printed at
 * each quarter, so logs stay short.
 */
public final class Progress {

  /** Prints nothing. */
  public static final Progress NONE = new Progress(null, false);

  private final PrintStream out;
  private final boolean terminal;

  /**
   * @param out where to draw (null: nowhere)
   * @param terminal whether {@code out} is a terminal that understands carriage returns
   */
  public Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** @return progress on stderr, redrawn in place when a console is attached */
  public static Progress stderr() {
    return new Progress(System.err, System.console() != null);
  }

  /**
   * Prints a line of its own.
   *
   * @param message the line
   */
  public void line(String message) {
    if (out != null) {
      synchronized (out) {
        out.println(message);
      }
    }
  }

  /**
   * @param label what is being done
   * @param total units of work (≤ 0 if unknown)
   * @return a new bar
   */
  public Bar bar(String label, long total) {
    return new Bar(label, total);
  }

  /** One step's bar. */
  public final class Bar {
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;
    private int lastQuarter = -1;

    private Bar(String label, long total) {
      this.label = label;
      this.total = total;
    }

    /** Adds one unit. */
    public synchronized void step() {
      set(done + 1);
    }

    /**
     * @param value units done so far
     */
    public synchronized void set(long value) {
      done = value;
      if (out == null) {
        return;
      }
      long now = System.nanoTime();
      if (terminal) {
        if (now - lastDraw > 200_000_000L) {
          lastDraw = now;
          draw("\r");
        }
      } else if (total > 0) {
        int quarter = (int) Math.min(4, done * 4 / total);
        if (quarter > lastQuarter && quarter < 4) {
          lastQuarter = quarter;
          draw("");
          out.println();
        }
      }
    }

    /** Ends the bar (draws it full and ends the line). */
    public synchronized void done() {
      if (out == null) {
        return;
      }
      if (total > 0) {
        done = Math.max(done, total);
      }
      draw(terminal ? "\r" : "");
      out.println();
    }

    private void draw(String prefix) {
      double seconds = (System.nanoTime() - start) / 1e9;
      String text;
      if (total > 0) {
        int width = 24;
        int filled = (int) Math.min(width, done * width / total);
        text = String.format(Locale.ROOT, "%s%-28s [%s%s] %3d%% %,d/%,d %.1fs", prefix, label, "#".repeat(filled),
            "-".repeat(width - filled), done * 100 / total, done, total, seconds);
      } else {
        text = String.format(Locale.ROOT, "%s%-28s %,d %.1fs", prefix, label, done, seconds);
      }
      synchronized (out) {
        out.print(text);
        out.flush();
      }
    }
  }
}
