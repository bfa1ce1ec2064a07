package dev.quiver.migrate;

import dev.quiver.VectorStoreException;
import java.time.Duration;

/**
 * Hears how a migration, export or import progresses (the CLI draws its progress bar from it).
 * Called from the copy's threads; implementations must be thread-safe and quick.
 */
public interface ProgressListener {

  /**
   * A phase starts.
   *
   * @param phase {@code "plan"}, {@code "copy"}, {@code "verify"}, {@code "export"} or {@code "import"}
   * @param total records the phase expects to handle, or -1 when unknown
   * @param done records already handled before this run (a resumed copy starts there)
   */
  default void phase(String phase, long total, long done) {}

  /**
   * @param done records handled so far in the current phase (including those of earlier runs)
   * @param skipped records skipped so far
   */
  default void progress(long done, long skipped) {}

  /**
   * A transient failure is being retried.
   *
   * @param what the step that failed
   * @param attempt the attempt that failed (1 = first)
   * @param wait how long the retry waits
   * @param error the failure
   */
  default void retrying(String what, int attempt, Duration wait, VectorStoreException error) {}

  /** @return a listener that ignores everything */
  static ProgressListener none() {
    return new ProgressListener() {};
  }
}
