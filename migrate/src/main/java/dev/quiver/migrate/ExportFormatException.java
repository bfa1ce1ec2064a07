package dev.quiver.migrate;

import java.nio.file.Path;

/**
 * An export file cannot be read as a Quiver export: not an Arrow IPC file, a format version this
 * code does not know, a missing column, or a checksum or record count that does not match the data
 * (the file is damaged or was changed). Nothing was imported.
 */
public final class ExportFormatException extends MigrationException {

  /**
   * @param file the file
   * @param message what is wrong
   * @param cause the underlying error, or {@code null}
   */
  public ExportFormatException(Path file, String message, Throwable cause) {
    super("export file " + file + ": " + message, cause);
  }

  @Override
  public boolean isTransient() {
    return false;
  }
}
