package dev.quiver.cli;

import dev.quiver.VectorStoreException;
import dev.quiver.migrate.ProgressListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Draws a one-line progress bar (records, rate, ETA) on stderr, redrawn at most five times a second;
 * used only when stderr is a terminal. Retries are printed on lines of their own.
 */
final class ProgressBar implements ProgressListener {

  private final PrintStream err;
  private String phase = "";
  private long total = -1;
  private long startDone;
  private long startNanos;
  private long lastDraw;
  private boolean drawn;
  private long pendingDone = -1;
  private long pendingSkipped;

  ProgressBar(PrintStream err) {
    this.err = err;
  }

  /** @return a bar when stderr is a terminal, else a listener that prints nothing */
  static ProgressListener forTerminal() {
    return stderrIsTerminal() ? new ProgressBar(System.err) : ProgressListener.none();
  }

  /** Linux: where fd 2 points (so {@code --json > file} keeps the bar); elsewhere: whether there is a console. */
  private static boolean stderrIsTerminal() {
    try {
      String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }

  @Override
  public synchronized void phase(String name, long expected, long done) {
    finish();
    phase = name;
    total = expected;
    startDone = done;
    startNanos = System.nanoTime();
    lastDraw = 0;
  }

  @Override
  public synchronized void progress(long done, long skipped) {
    long now = System.nanoTime();
    if (now - lastDraw < 200_000_000L && (total < 0 || done + skipped < total)) {
      pendingDone = done; // drawn by finish() if nothing newer comes
      pendingSkipped = skipped;
      return;
    }
    draw(now, done, skipped);
  }

  private void draw(long now, long done, long skipped) {
    pendingDone = -1;
    lastDraw = now;
    double secs = (now - startNanos) / 1e9;
    double rate = secs > 0 ? (done + skipped - startDone) / secs : 0;
    StringBuilder sb = new StringBuilder("\r").append(String.format(Locale.ROOT, "%-7s", phase));
    if (total > 0) {
      double frac = Math.min(1.0, (double) (done + skipped) / total);
      int filled = (int) (frac * 30);
      sb.append(" [").append("#".repeat(filled)).append(" ".repeat(30 - filled)).append("] ")
          .append(String.format(Locale.ROOT, "%3.0f%% %,d/%,d", frac * 100, done + skipped, total));
      long left = total - done - skipped;
      sb.append(String.format(Locale.ROOT, "  %,.0f rec/s  ETA %s", rate, rate > 0 ? eta(left / rate) : "?"));
    } else {
      sb.append(String.format(Locale.ROOT, " %,d records  %,.0f rec/s", done + skipped, rate));
    }
    if (skipped > 0) {
      sb.append(String.format(Locale.ROOT, "  (%,d skipped)", skipped));
    }
    err.print(sb.append("   "));
    err.flush();
    drawn = true;
  }

  private static String eta(double seconds) {
    long s = (long) Math.ceil(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  @Override
  public synchronized void retrying(String what, int attempt, Duration wait, VectorStoreException error) {
    finish();
    err.printf(Locale.ROOT, "retrying %s (attempt %d failed: %s) in %.1f s%n", what, attempt,
        error.getClass().getSimpleName(), wait.toMillis() / 1000.0);
  }

  /** Draws the last state and ends the bar's line. */
  synchronized void finish() {
    if (pendingDone >= 0) {
      draw(System.nanoTime(), pendingDone, pendingSkipped);
    }
    if (drawn) {
      err.println();
      drawn = false;
    }
  }
}
