package dev.quiver;

/**
 * Local storage failed: an I/O error, a full disk, a file that fails its checksum. Data that was
 * acknowledged before the failure is still there when the store is opened again.
 */
public final class StorageException extends NonTransientVectorStoreException {

  /**
   * @param message what failed, naming the file where there is one
   * @param cause the I/O error, or {@code null}
   */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
