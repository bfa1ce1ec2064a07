package dev.quiver.migrate;

import java.nio.file.Path;

/**
 * A checkpoint file cannot be used: unreadable, damaged, written by a different migration (other
 * source, target, filter or transforms), or missing when a resume was asked for.
 */
public final class CheckpointException extends MigrationException {

  private final Path path;

  /**
   * @param path the checkpoint file
   * @param message what is wrong with it
   * @param cause the I/O or parse error, or {@code null}
   */
  public CheckpointException(Path path, String message, Throwable cause) {
    super("checkpoint " + path + ": " + message, cause);
    this.path = path;
  }

  /** @return the checkpoint file */
  public Path path() {
    return path;
  }

  @Override
  public boolean isTransient() {
    return false;
  }
}
