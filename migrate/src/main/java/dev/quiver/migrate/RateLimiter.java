package dev.quiver.migrate;

/** Spaces writes so that at most {@code rate} records per second go to the target, over all threads. */
final class RateLimiter {

  private final double nanosPerRecord;
  private long next = System.nanoTime();

  /** @param recordsPerSecond the rate; 0 or less for no limit */
  RateLimiter(double recordsPerSecond) {
    this.nanosPerRecord = recordsPerSecond > 0 ? 1e9 / recordsPerSecond : 0;
  }

  void acquire(int records) throws InterruptedException {
    if (nanosPerRecord == 0 || records == 0) {
      return;
    }
    long start;
    synchronized (this) {
      long now = System.nanoTime();
      start = Math.max(now, next);
      next = start + (long) (nanosPerRecord * records);
    }
    long wait = start - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }
}
