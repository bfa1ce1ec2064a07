package dev.quiver.migrate;

import dev.quiver.VectorStoreException;
import java.nio.file.Path;

/**
 * Reading the source or writing the target failed and retries did not help (the cause says why).
 * Every batch acknowledged before the failure is recorded in the checkpoint: run the same migration
 * again with resume ({@code --resume}) to finish it.
 */
public final class CopyFailedException extends MigrationException {

  private final long copied;
  private final Path checkpoint;

  /**
   * @param what which step failed, for example {@code "writing a batch of 500 records"}
   * @param copied records acknowledged and checkpointed so far
   * @param checkpoint the checkpoint file, or {@code null} when none is kept
   * @param cause the store's error
   */
  public CopyFailedException(String what, long copied, Path checkpoint, Throwable cause) {
    super(what + " failed after retries (" + describe(cause) + "); " + copied + " records are safely copied"
        + (checkpoint == null ? "; no checkpoint was kept, so a new run starts over"
            : "; run the same command with --resume to finish (checkpoint " + checkpoint + ")"), cause);
    this.copied = copied;
    this.checkpoint = checkpoint;
  }

  private static String describe(Throwable cause) {
    return cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  /** @return records acknowledged and checkpointed before the failure */
  public long copied() {
    return copied;
  }

  /** @return the checkpoint to resume from, or {@code null} */
  public Path checkpoint() {
    return checkpoint;
  }

  @Override
  public boolean isTransient() {
    return getCause() instanceof VectorStoreException v && v.isTransient();
  }
}
