package dev.quiver.bench;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** A progress line on stderr for long steps: label, count/total, percent, elapsed and remaining time. */
public final class Progress implements AutoCloseable {

  private final String label;
  private final long total;
  private final AtomicLong done = new AtomicLong();
  private final long start = System.nanoTime();
  private volatile long lastPrint;
  private final PrintStream out;

  /**
   * @param label what is being done
   * @param total how many steps
   */
  public Progress(String label, long total) {
    this(label, total, System.err);
  }

  Progress(String label, long total, PrintStream out) {
    this.label = label;
    this.total = Math.max(1, total);
    this.out = out;
  }

  /** One step done. */
  public void step() {
    add(1);
  }

  /**
   * @param n steps done
   */
  public void add(long n) {
    long d = done.addAndGet(n);
    long now = System.nanoTime();
    if (now - lastPrint > 2_000_000_000L || d >= total) {
      synchronized (this) {
        if (now - lastPrint > 2_000_000_000L) {
          lastPrint = now;
          print(d);
        }
      }
    }
  }

  /**
   * @param d steps done so far (absolute)
   */
  public void set(long d) {
    add(d - done.get());
  }

  private void print(long d) {
    double el = (System.nanoTime() - start) / 1e9;
    double pct = 100.0 * d / total;
    String eta = d > 0 && d < total ? String.format(" ~%.0fs left", el * (total - d) / d) : "";
    out.printf("  %s: %d/%d (%.0f%%) %.0fs%s%n", label, d, total, pct, el, eta);
    out.flush();
  }

  @Override
  public void close() {
    double el = (System.nanoTime() - start) / 1e9;
    if (el > 2) {
      out.printf("  %s: done in %.1fs%n", label, el);
      out.flush();
    }
  }
}
