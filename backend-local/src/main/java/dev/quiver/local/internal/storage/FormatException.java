package dev.quiver.local.internal.storage;

/**
 * Bytes that do not decode: a bad magic, an unknown version or tag, a length past the end. Internal:
 * callers that know which file the bytes came from turn it into a {@link dev.quiver.StorageException}
 * naming that file.
 */
final class FormatException extends RuntimeException {
  FormatException(String message) {
    super(message);
  }
}
