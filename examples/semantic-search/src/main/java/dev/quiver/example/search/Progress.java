package dev.quiver.example.search;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A progress bar for ingestion on stderr: one redrawn line on a terminal (at most five times a second),
 * a line every tenth of the way otherwise (logs, tests), so a long first run is never silent.
 */
public final class Progress implements Ingester.Listener {

  private final PrintStream out;
  private final boolean terminal;
  private final String label;
  private long start;
  private long lastDraw;
  private int lastTenth = -1;

  /**
   * @param out where to draw (stderr)
   * @param terminal redraw one line in place; otherwise print lines
   * @param label what is being done, e.g. "embedding"
   */
  public Progress(PrintStream out, boolean terminal, String label) {
    this.out = out;
    this.terminal = terminal;
    this.label = label;
  }

  /** @return a bar on stderr that redraws in place when stderr is a terminal */
  public static Progress onStderr(String label) {
    return new Progress(System.err, stderrIsTerminal(), label);
  }

  /** Linux: where fd 2 points; elsewhere whether there is a console. */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }

  @Override
  public void started(int toDo, int alreadyDone) {
    start = System.nanoTime();
    if (alreadyDone > 0) {
      out.printf(Locale.ROOT, "%s: %,d documents already ingested (checkpoint), %,d to go%n", label, alreadyDone, toDo);
    }
  }

  @Override
  public void progress(int done, int total, int chunks) {
    long now = System.nanoTime();
    double secs = (now - start) / 1e9;
    double rate = secs > 0 ? done / secs : 0;
    if (terminal) {
      if (now - lastDraw < 200_000_000L && done < total) {
        return;
      }
      lastDraw = now;
      double frac = total == 0 ? 1 : (double) done / total;
      int filled = (int) (frac * 30);
      String eta = rate > 0 && done < total ? String.format(Locale.ROOT, "ETA %.0fs", (total - done) / rate) : "";
      out.printf(Locale.ROOT, "\r%s [%s%s] %3.0f%% %,d/%,d docs  %,d chunks  %.0f docs/s  %s   ", label,
          "#".repeat(filled), " ".repeat(30 - filled), frac * 100, done, total, chunks, rate, eta);
      if (done >= total) {
        out.println();
      }
    } else {
      int tenth = total == 0 ? 10 : (int) (10L * done / total);
      if (tenth != lastTenth) {
        lastTenth = tenth;
        out.printf(Locale.ROOT, "%s: %,d/%,d documents, %,d chunks, %.0f docs/s%n", label, done, total, chunks, rate);
      }
    }
  }
}
