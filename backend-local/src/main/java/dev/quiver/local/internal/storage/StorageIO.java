package dev.quiver.local.internal.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file-system call the storage layer makes. It exists so that tests can inject failures
 * (a failing write or fsync, a full disk, a torn write) at exactly the call they target, and so
 * that nothing in this package touches {@code java.nio.file.Files} or {@code FileChannel} directly.
 * {@link #standard()} is the real file system.
 *
 * <p>Implementations report failures as {@link IOException}; the callers translate them into
 * {@link dev.quiver.StorageException} naming the file.
 */
interface StorageIO {

  /** @return the real file system */
  static StorageIO standard() {
    return FileStorageIO.INSTANCE;
  }

  /**
   * Opens a file for reading.
   *
   * @param path the file
   * @return an open file; {@link StorageFile#write} is refused
   * @throws IOException if it is missing or unreadable
   */
  StorageFile openRead(Path path) throws IOException;

  /**
   * Creates a new file for appending; fails if it already exists (so a stray file is never
   * silently overwritten).
   *
   * @param path the file
   * @return an open, empty file
   * @throws IOException if it exists or cannot be created
   */
  StorageFile create(Path path) throws IOException;

  /**
   * Opens an existing file for reading and appending (used to truncate and seal a WAL segment).
   *
   * @param path the file
   * @return an open file positioned at its end for writes
   * @throws IOException if it is missing
   */
  StorageFile openAppend(Path path) throws IOException;

  /**
   * Renames atomically, replacing the target ({@code ATOMIC_MOVE}). The caller fsyncs the directory.
   *
   * @param source existing file
   * @param target new name in the same directory
   * @throws IOException if the file system cannot rename atomically, or fails
   */
  void atomicMove(Path source, Path target) throws IOException;

  /**
   * @param path a file
   * @throws IOException if it exists and cannot be deleted
   */
  void deleteIfExists(Path path) throws IOException;

  /**
   * Flushes a directory's entries (creations, renames, deletions) to stable storage.
   *
   * @param dir the directory
   * @throws IOException if the flush fails
   */
  void syncDirectory(Path dir) throws IOException;

  /**
   * @param dir a directory
   * @return the regular files directly inside it, sorted by name
   * @throws IOException if it cannot be listed
   */
  List<Path> list(Path dir) throws IOException;

  /**
   * @param dir a directory to create with its parents (no-op if it exists)
   * @throws IOException if it cannot be created
   */
  void createDirectories(Path dir) throws IOException;

  /**
   * Takes an exclusive, inter-process lock on a lock file, creating it if needed.
   *
   * @param lockFile the lock file
   * @return the held lock, released by closing it; {@code null} when another holder (process or
   *     open store in this process) has it
   * @throws IOException if the lock file cannot be opened
   */
  Closeable tryLock(Path lockFile) throws IOException;

  /** An open file. Writes always go to the end; reads are positional. Not thread-safe for writes. */
  interface StorageFile extends Closeable {

    /** @return the file's path, for messages */
    Path path();

    /**
     * Appends all of {@code src} at the end of the file.
     *
     * @param src the bytes; fully consumed on success
     * @throws IOException on failure; some prefix of the bytes may have been written
     */
    void write(java.nio.ByteBuffer src) throws IOException;

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code position}.
     *
     * @param dst where to put them
     * @param position file offset
     * @return bytes read, or -1 at end of file
     * @throws IOException on failure
     */
    int read(java.nio.ByteBuffer dst, long position) throws IOException;

    /**
     * @return the current size in bytes
     * @throws IOException on failure
     */
    long size() throws IOException;

    /**
     * {@code FileChannel.force(false)}: file data (and the size) reaches stable storage.
     *
     * @throws IOException on failure; the data written since the last successful force is then in an
     *     unknown state
     */
    void force() throws IOException;

    /**
     * @param size new size, not larger than the current one; the next write goes there
     * @throws IOException on failure
     */
    void truncate(long size) throws IOException;
  }
}
