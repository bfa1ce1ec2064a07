package dev.quiver.migrate;

import dev.quiver.VectorStoreException;

/**
 * Root of the errors a migration, an export or an import throws itself (errors of the stores it
 * reads and writes arrive as their own {@link VectorStoreException} types, usually as the cause of a
 * {@link CopyFailedException}). Each subclass names what was wrong and what to do about it.
 */
public abstract class MigrationException extends VectorStoreException {

  /**
   * @param message what went wrong and what to do
   * @param cause the underlying error, or {@code null}
   */
  protected MigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
