package dev.quiver.local.internal.storage;

import dev.quiver.InvalidArgumentException;
import dev.quiver.StorageException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The durable storage of one embedded store: a directory holding a lock file, a write-ahead log, at
 * most one current snapshot and the manifest naming it.
 *
 * <pre>
 * &lt;dir&gt;/LOCK                          held (FileChannel.tryLock) while the store is open
 * &lt;dir&gt;/MANIFEST                      current snapshot + covered WAL sequence
 * &lt;dir&gt;/snapshot-&lt;generation&gt;.qsnap  state up to the covered sequence
 * &lt;dir&gt;/wal-&lt;first sequence&gt;.qlog    entries; those after the covered sequence are replayed
 * </pre>
 *
 * <p>Life cycle: {@link #open} locks the directory, loads the snapshot and replays the log into a
 * {@link RecoveryHandler} (dropping a torn tail), and leaves the storage ready for {@link #append}.
 * An acknowledged append is durable. {@link #snapshot} writes the engine's state and drops the log
 * it covers. A process killed at any instant leaves a directory that opens with every acknowledged
 * operation; an operation whose append threw may or may not be there. All I/O errors surface as
 * {@link StorageException} naming the file.
 *
 * <p>Thread-safe: appends may run concurrently with each other and with a snapshot.
 */
public final class StoreStorage implements Closeable {

  static final String LOCK = "LOCK";
  static final String TMP_SUFFIX = ".tmp";

  private final StorageIO io;
  private final Path dir;
  private final Closeable lock;
  private final WriteAheadLog wal;
  private final Object snapshotLock = new Object();
  private Manifest manifest;
  private final RecoveryReport report;

  /**
   * What {@link #open} found.
   *
   * @param snapshotSequence the sequence the loaded snapshot covers, 0 without one
   * @param snapshotFile the loaded snapshot's file name, or null
   * @param wal what the log's recovery found
   */
  public record RecoveryReport(long snapshotSequence, String snapshotFile, LogRecoveryReport wal) {}

  private StoreStorage(StorageIO io, Path dir, Closeable lock, WriteAheadLog wal, Manifest manifest) {
    this.io = io;
    this.dir = dir;
    this.lock = lock;
    this.wal = wal;
    this.manifest = manifest;
    this.report = new RecoveryReport(manifest == null ? 0 : manifest.coveredSequence(),
        manifest == null ? null : manifest.snapshotFile(), wal.recoveryReport());
  }

  /**
   * Opens (creating if needed) the store in {@code dir} and recovers its state into {@code handler}.
   *
   * @param dir the store directory
   * @param options tuning and file access
   * @param handler receives the snapshot and the operations after it
   * @return the open storage, ready for appends
   * @throws StorageException if the directory is locked by another open store (in this or another
   *     process), on an I/O error, or on corruption other than a torn WAL tail
   */
  public static StoreStorage open(Path dir, StorageOptions options, RecoveryHandler handler) {
    StorageIO io = options.io();
    Path root = dir.toAbsolutePath().normalize();
    try {
      io.createDirectories(root);
    } catch (IOException e) {
      throw FileFormat.io("creating store directory", root, e);
    }
    Path lockFile = root.resolve(LOCK);
    Closeable lock;
    try {
      lock = io.tryLock(lockFile);
    } catch (IOException e) {
      throw FileFormat.io("locking", lockFile, e);
    }
    if (lock == null) {
      throw new StorageException("store directory " + root + " is already open (by another process, or by another"
          + " store in this process); close it there first", null);
    }
    try {
      // A killed predecessor may have renamed files without forcing the directory; make what we are
      // about to build on durable before deleting anything based on it.
      try {
        io.syncDirectory(root);
      } catch (IOException e) {
        throw FileFormat.io("syncing", root, e);
      }
      Manifest manifest = cleanUp(io, root);
      long covered = 0;
      if (manifest != null) {
        Path snap = inside(root, manifest.snapshotFile());
        long got = SnapshotFile.read(io, snap, handler);
        if (got != manifest.coveredSequence()) {
          throw FileFormat.corrupt(snap, "covers sequence " + got + " but " + Manifest.NAME + " says "
              + manifest.coveredSequence());
        }
        covered = got;
      }
      WriteAheadLog wal = WriteAheadLog.open(io, root, covered, options, (seq, payload) -> {
        Operation op;
        try {
          op = Codec.decode(payload);
        } catch (FormatException e) {
          throw new StorageException("write-ahead log entry " + seq + " in " + root
              + " passed its checksum but does not decode: " + e.getMessage(), null);
        }
        handler.operation(seq, op);
      });
      return new StoreStorage(io, root, lock, wal, manifest);
    } catch (RuntimeException e) {
      try {
        lock.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Removes what an interrupted snapshot left behind: temporary files, snapshots the manifest does not
   * name. (Covered WAL segments are removed by the log itself.)
   */
  private static Manifest cleanUp(StorageIO io, Path root) {
    try {
      Path manifestFile = root.resolve(Manifest.NAME);
      List<Path> files = io.list(root);
      Manifest manifest = files.contains(manifestFile) ? Manifest.read(io, manifestFile) : null;
      for (Path f : files) {
        String name = f.getFileName().toString();
        boolean staleSnapshot = Manifest.SNAPSHOT_NAME.matcher(name).matches()
            && (manifest == null || !name.equals(manifest.snapshotFile()));
        if (name.endsWith(TMP_SUFFIX) || staleSnapshot) {
          io.deleteIfExists(f);
        }
      }
      return manifest;
    } catch (IOException e) {
      throw FileFormat.io("cleaning up", root, e);
    }
  }

  /**
   * Resolves a file name inside the store directory, refusing anything that would leave it.
   *
   * @param root the store directory (absolute, normalized)
   * @param name a file name read from disk or derived from user input
   * @return the path inside {@code root}
   * @throws StorageException if the name escapes the directory
   */
  static Path inside(Path root, String name) {
    Path p = root.resolve(name).normalize();
    if (!p.startsWith(root) || p.equals(root)) {
      throw new StorageException("refusing path '" + name + "': it resolves outside the store directory " + root, null);
    }
    return p;
  }

  /**
   * A directory reserved for one collection's side files (for engines that keep, say, a large index
   * outside the snapshot). The name is checked with {@link dev.quiver.CollectionSpec#checkName}, and
   * the result is verified to lie inside the store directory. Not created.
   *
   * @param collection a collection name
   * @return {@code <dir>/collections/<collection>}
   * @throws InvalidArgumentException if the name is not a valid collection name
   */
  Path collectionDirectory(String collection) {
    dev.quiver.CollectionSpec.checkName(collection);
    return inside(dir, "collections/" + collection);
  }

  /** @return the store directory (absolute) */
  public Path directory() {
    return dir;
  }

  /** @return what {@link #open} found */
  public RecoveryReport recoveryReport() {
    return report;
  }

  /**
   * Logs an operation and returns once it is durable.
   *
   * @param op the operation, already validated by the engine
   * @return its sequence number
   * @throws StorageException if it could not be made durable; the storage then refuses further writes
   *     until reopened, and the operation may or may not be present after reopening
   */
  long append(Operation op) {
    return wal.append(Codec.encode(op));
  }

  /**
   * First half of {@link #append}: assigns the sequence and writes the entry, without waiting for the
   * fsync. Lets an engine order entries under its own lock (so log order equals apply order) and wait
   * for durability after releasing it, which is what makes group commit effective.
   *
   * @param op the operation
   * @return its sequence number; pass it to {@link #awaitDurable} before acknowledging the write
   */
  public long write(Operation op) {
    return wal.write(Codec.encode(op));
  }

  /**
   * @param sequence a sequence number from {@link #write}
   * @throws StorageException if the entry could not be made durable
   */
  public void awaitDurable(long sequence) {
    wal.awaitDurable(sequence);
  }

  /** @return the highest sequence written so far */
  public long lastSequence() {
    return wal.lastSequence();
  }

  /** @return the write-ahead log (tests in this package) */
  WriteAheadLog wal() {
    return wal;
  }

  /** @return how many segment files the write-ahead log has now */
  public int segmentCount() {
    return wal.segmentFiles().size();
  }

  /**
   * Writes a snapshot of the engine's state and drops the WAL it makes redundant. The engine must pass
   * the sequence its state reflects: every operation up to {@code coveredSequence} applied, none after
   * (typically it blocks writers, reads {@link #lastSequence()}, and captures or writes its state).
   * Appends may continue while the snapshot is written.
   *
   * <p>Steps, each durable before the next: snapshot to {@code snapshot-<g>.qsnap.tmp}, force, atomic
   * rename, directory force; manifest replaced the same way; then the old snapshot and covered
   * segments are deleted. A crash at any step leaves either the old or the new snapshot current, each
   * with the WAL it needs.
   *
   * @param coveredSequence the last sequence included in the state
   * @param source writes the state
   * @return the snapshot's file
   * @throws StorageException if writing fails (the previous snapshot and the WAL stay valid)
   */
  public Path snapshot(long coveredSequence, SnapshotWriter.Source source) {
    if (coveredSequence < 0 || coveredSequence > wal.lastSequence()) {
      throw new InvalidArgumentException("snapshot sequence " + coveredSequence + " is outside 0.."
          + wal.lastSequence());
    }
    synchronized (snapshotLock) {
      if (manifest != null && coveredSequence < manifest.coveredSequence()) {
        throw new InvalidArgumentException("snapshot sequence " + coveredSequence
            + " is older than the current snapshot's " + manifest.coveredSequence());
      }
      wal.awaitDurable(coveredSequence);
      // A fresh segment boundary right after the covered entries lets every older segment go.
      if (coveredSequence == wal.lastSequence()) {
        wal.rollIfNotEmpty();
      }
      long generation = manifest == null ? 1 : manifest.generation() + 1;
      String name = Manifest.snapshotName(generation);
      Path target = inside(dir, name);
      Path tmp = inside(dir, name + TMP_SUFFIX);
      try {
        io.deleteIfExists(tmp);
        SnapshotFile.write(io, tmp, coveredSequence, source);
        io.atomicMove(tmp, target);
        io.syncDirectory(dir);
      } catch (IOException e) {
        try {
          io.deleteIfExists(tmp);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw new StorageException("writing snapshot " + target + " failed: " + e, e);
      }
      Manifest next = new Manifest(generation, name, coveredSequence);
      next.install(io, dir);
      Manifest previous = manifest;
      manifest = next;
      // From here the new snapshot is the durable truth; failures below only leave garbage that the
      // next open removes, but they are still reported.
      try {
        if (previous != null) {
          io.deleteIfExists(inside(dir, previous.snapshotFile()));
        }
        wal.deleteCoveredSegments(coveredSequence);
        io.syncDirectory(dir);
      } catch (IOException e) {
        throw new StorageException("snapshot " + target + " is in place, but removing what it replaced failed: " + e, e);
      }
      return target;
    }
  }

  /**
   * Closes the log and releases the directory lock. Idempotent.
   *
   * @throws StorageException if the final sync fails
   */
  @Override
  public void close() {
    try {
      wal.close();
    } finally {
      try {
        lock.close();
      } catch (IOException e) {
        throw FileFormat.io("unlocking", dir.resolve(LOCK), e);
      }
    }
  }
}
