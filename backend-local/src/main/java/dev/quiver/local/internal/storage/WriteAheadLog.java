package dev.quiver.local.internal.storage;

import dev.quiver.InvalidArgumentException;
import dev.quiver.StorageException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The write-ahead log: a sequence of numbered entries (opaque byte payloads) in segment files
 * {@code wal-<first sequence, 20 digits>.qlog}. An entry is acknowledged (its {@link #append} returns)
 * only after an fsync covering it has completed, so an acknowledged entry survives a process kill or
 * power loss.
 *
 * <h2>Segment layout</h2>
 * <pre>
 * file header (8) | first sequence i64 | crc32c u32 of the preceding 16 bytes
 * entry*          : length u32 | sequence i64 | durable i64 | payload (length bytes) | crc32c u32 of all before it in the entry
 * footer (16)     : present once the segment is sealed (see {@link FileFormat})
 * </pre>
 * {@code durable} is the highest sequence known to be on stable storage when the entry was written.
 * Recovery ({@link WalRecovery}) drops a torn tail (an incomplete last entry: a process killed
 * mid-append leaves nothing else) and refuses to open a log with a damaged complete entry, naming the
 * file and byte offset, unless {@link StorageOptions#truncateDamagedLog()} asks it to truncate there.
 *
 * <h2>Failures</h2>
 * After any I/O error on the active segment the log refuses further writes (each call throws
 * {@link StorageException}); the store must be reopened, and recovery repairs the tail. It never
 * retries an fsync: on Linux a failed fsync may have dropped the dirty pages, and a retry would report
 * success for data that is gone. An entry whose append threw may or may not be present after reopening
 * (it was never acknowledged); acknowledged entries always are.
 *
 * <p>Thread-safe. With group commit, concurrent appenders write their entries one after another and
 * then share fsyncs: one of them forces the file for everybody written so far while the others wait.
 */
final class WriteAheadLog implements Closeable {

  static final String PREFIX = "wal-";
  static final String SUFFIX = ".qlog";

  static final int SEGMENT_HEADER_SIZE = FileFormat.HEADER_SIZE + 8 + 4;
  /** length + sequence + durable. */
  static final int ENTRY_HEADER_SIZE = 4 + 8 + 8;
  static final int ENTRY_OVERHEAD = ENTRY_HEADER_SIZE + 4;

  /** Receives the entries replayed at open. */
  @FunctionalInterface
  interface EntryVisitor {
    /**
     * @param sequence the entry's sequence number (consecutive, from 1)
     * @param payload its bytes
     */
    void entry(long sequence, byte[] payload);
  }


  private final StorageIO io;
  private final Path dir;
  private final StorageOptions options;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** First sequence → segment file, including the active one (the last). */
  private final TreeMap<Long, Path> segments = new TreeMap<>();
  private StorageIO.StorageFile active;
  private long activeSize;
  private final CRC32C activeCrc = new CRC32C();
  private long lastSequence;
  private long durableSequence;
  private boolean syncing;
  private StorageException failure;
  private boolean closed;
  private LogRecoveryReport report;

  private WriteAheadLog(StorageIO io, Path dir, StorageOptions options) {
    this.io = io;
    this.dir = dir;
    this.options = options;
  }

  static String segmentName(long firstSequence) {
    return String.format("%s%020d%s", PREFIX, firstSequence, SUFFIX);
  }

  /**
   * Opens the log in {@code dir}: replays every entry after {@code coveredSequence} to the visitor in
   * order, truncates a torn tail, seals the previous last segment and starts a new one.
   *
   * @param io file access
   * @param dir the store directory
   * @param coveredSequence entries up to this one are covered by a snapshot and not replayed
   * @param options limits and group commit
   * @param visitor receives entries after {@code coveredSequence}
   * @return the open log
   * @throws StorageException on an I/O error, a missing segment, or corruption that is not a torn tail
   */
  public static WriteAheadLog open(StorageIO io, Path dir, long coveredSequence, StorageOptions options,
      EntryVisitor visitor) {
    WriteAheadLog wal = new WriteAheadLog(io, dir, options);
    wal.recover(coveredSequence, visitor);
    return wal;
  }

  private void recover(long covered, EntryVisitor visitor) {
    WalRecovery r = new WalRecovery(io, dir, covered, options, visitor);
    r.run();
    lastSequence = r.lastSequence;
    durableSequence = lastSequence;
    report = r.report;
    // Make the previous last segment durable and sealed before anything new is acknowledged: its
    // entries may still sit only in the page cache of a killed process.
    if (r.last != null) {
      if (r.deleteLast) {
        delete(r.last);
      } else {
        seal(r.last, r.lastValidEnd, r.lastSealed);
      }
    }
    segments.putAll(r.segments);
    startSegment(lastSequence + 1);
  }

  private void delete(Path file) {
    try {
      io.deleteIfExists(file);
    } catch (IOException e) {
      throw FileFormat.io("deleting", file, e);
    }
  }

  /** Truncates the recovered last segment to its valid end, appends a footer if needed, and forces it. */
  private void seal(Path file, long validEnd, boolean alreadySealed) {
    try (StorageIO.StorageFile f = io.openAppend(file)) {
      if (!alreadySealed) {
        f.truncate(validEnd);
        byte[] data = new byte[(int) validEnd];
        FileFormat.readFully(f, ByteBuffer.wrap(data), 0);
        CRC32C crc = new CRC32C();
        crc.update(data);
        f.write(footer(crc, validEnd));
      }
      f.force();
    } catch (IOException e) {
      throw FileFormat.io("sealing write-ahead log segment", file, e);
    }
  }

  /** Builds a footer, updating {@code crc} over its first 12 bytes. */
  private static ByteBuffer footer(CRC32C crc, long length) {
    ByteWriter w = new ByteWriter(FileFormat.FOOTER_SIZE);
    w.i32(FileFormat.FOOTER_MAGIC).i64(length);
    crc.update(w.array(), 0, 12);
    w.i32((int) crc.getValue());
    return w.asBuffer();
  }

  /** Creates, fills, forces and publishes (directory fsync) a new empty active segment. */
  private void startSegment(long firstSequence) {
    Path file = dir.resolve(segmentName(firstSequence));
    StorageIO.StorageFile f = null;
    try {
      f = io.create(file);
      ByteWriter h = new ByteWriter(SEGMENT_HEADER_SIZE);
      FileFormat.writeHeader(h, FileFormat.Kind.WAL_SEGMENT);
      h.i64(firstSequence);
      CRC32C crc = new CRC32C();
      crc.update(h.array(), 0, h.size());
      h.i32((int) crc.getValue());
      f.write(h.asBuffer());
      f.force();
      io.syncDirectory(dir);
      activeCrc.reset();
      activeCrc.update(h.array(), 0, h.size());
      activeSize = h.size();
      active = f;
      segments.put(firstSequence, file);
    } catch (IOException e) {
      if (f != null) {
        try {
          f.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      active = null;
      StorageException failed = FileFormat.io("creating write-ahead log segment", file, e);
      failure = failed;
      throw failed;
    }
  }

  /** @return what recovery found when this log was opened */
  LogRecoveryReport recoveryReport() {
    return report;
  }

  /**
   * Appends an entry and returns once it is durable.
   *
   * @param payload the entry's bytes
   * @return its sequence number
   * @throws StorageException if writing or syncing failed (the entry may or may not survive a reopen),
   *     or the log already failed or was closed
   */
  public long append(byte[] payload) {
    long seq = write(payload);
    awaitDurable(seq);
    return seq;
  }

  /**
   * Writes an entry without waiting for it to be durable: the first half of {@link #append}, for a
   * caller that must order entries under its own lock but wants to wait for the fsync outside it.
   * Nothing may be acknowledged to a user before {@link #awaitDurable} returns for its sequence.
   *
   * @param payload the entry's bytes
   * @return the sequence number assigned
   */
  public long write(byte[] payload) {
    if (payload.length > options.maxEntryBytes()) {
      throw new InvalidArgumentException("write-ahead log entry of " + payload.length + " bytes exceeds the limit of "
          + options.maxEntryBytes() + " bytes; split the batch");
    }
    ByteBuffer frame = ByteBuffer.allocate(ENTRY_OVERHEAD + payload.length);
    frame.putInt(payload.length).putLong(0).putLong(0).put(payload);
    lock.lock();
    try {
      checkUsable();
      rollWhen(() -> activeSize >= options.maxSegmentBytes() && activeSize > SEGMENT_HEADER_SIZE);
      long seq = lastSequence + 1;
      frame.putLong(4, seq).putLong(12, durableSequence);
      CRC32C crc = new CRC32C();
      crc.update(frame.array(), 0, ENTRY_HEADER_SIZE + payload.length);
      frame.putInt(ENTRY_HEADER_SIZE + payload.length, (int) crc.getValue());
      frame.clear(); // the whole frame, checksum included
      try {
        active.write(frame);
      } catch (IOException e) {
        throw fail("appending to", e);
      }
      activeCrc.update(frame.array(), 0, frame.limit());
      activeSize += frame.limit();
      lastSequence = seq;
      if (!options.groupCommit()) {
        try {
          active.force();
        } catch (IOException e) {
          throw fail("syncing", e);
        }
        durableSequence = seq;
      }
      return seq;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns once entry {@code sequence} is durable, syncing the log if nobody else is.
   *
   * @param sequence a sequence number returned by {@link #write}
   * @throws StorageException if the sync failed or the log failed earlier
   */
  public void awaitDurable(long sequence) {
    lock.lock();
    try {
      while (durableSequence < sequence) {
        if (failure != null) {
          throw new StorageException("write-ahead log entry " + sequence + " in " + dir
              + " is not known to be durable: " + failure.getMessage(), failure);
        }
        if (closed) {
          throw new StorageException("write-ahead log in " + dir + " was closed before entry " + sequence
              + " was durable", null);
        }
        if (syncing) {
          changed.awaitUninterruptibly();
          continue;
        }
        // Become the syncer for everything written so far; the others wait for our result.
        syncing = true;
        long target = lastSequence;
        StorageIO.StorageFile file = active;
        IOException error = null;
        lock.unlock();
        try {
          file.force();
        } catch (IOException e) {
          error = e;
        } finally {
          lock.lock();
          syncing = false;
          changed.signalAll();
        }
        if (error != null) {
          throw fail("syncing", error);
        }
        durableSequence = Math.max(durableSequence, target);
      }
    } finally {
      lock.unlock();
    }
  }

  private StorageException fail(String what, IOException e) {
    Path file = active == null ? dir : active.path();
    StorageException failed = new StorageException(what + " write-ahead log " + file + " failed; the log accepts no more"
        + " writes until the store is reopened: " + e, e);
    if (failure == null) {
      failure = failed;
    }
    changed.signalAll();
    return failed;
  }

  private void checkUsable() {
    if (closed) {
      throw new StorageException("write-ahead log in " + dir + " is closed", null);
    }
    if (failure != null) {
      throw new StorageException("write-ahead log in " + dir + " failed earlier and accepts no more writes until"
          + " the store is reopened: " + failure.getMessage(), failure);
    }
  }

  /**
   * Seals the active segment (everything in it durable, footer written) and starts the next, if
   * {@code needed} still holds once no sync is in flight (another writer may have rolled meanwhile).
   * Lock held.
   */
  private void rollWhen(java.util.function.BooleanSupplier needed) {
    while (syncing) {
      changed.awaitUninterruptibly();
    }
    checkUsable();
    if (!needed.getAsBoolean()) {
      return;
    }
    try {
      active.force();
      durableSequence = lastSequence;
      active.write(footer(activeCrc, activeSize));
      active.force();
    } catch (IOException e) {
      throw fail("sealing", e);
    }
    try {
      active.close();
    } catch (IOException e) {
      throw fail("closing", e);
    }
    active = null;
    startSegment(lastSequence + 1);
  }

  /**
   * Starts a new segment if the active one holds entries, so that after a snapshot covering
   * everything written so far all older segments can be deleted.
   */
  public void rollIfNotEmpty() {
    lock.lock();
    try {
      checkUsable();
      rollWhen(() -> activeSize > SEGMENT_HEADER_SIZE);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Deletes sealed segments whose entries are all at or below {@code coveredSequence}.
   *
   * @param coveredSequence a sequence durably covered by a snapshot
   * @return how many segments were deleted
   */
  public int deleteCoveredSegments(long coveredSequence) {
    List<Path> doomed = new ArrayList<>();
    lock.lock();
    try {
      while (segments.size() > 1) {
        Map.Entry<Long, Path> first = segments.firstEntry();
        long nextFirst = segments.higherKey(first.getKey());
        if (nextFirst - 1 > coveredSequence) {
          break;
        }
        doomed.add(first.getValue());
        segments.pollFirstEntry();
      }
    } finally {
      lock.unlock();
    }
    for (Path p : doomed) {
      delete(p);
    }
    return doomed.size();
  }

  /** @return the highest sequence written (not necessarily durable yet) */
  public long lastSequence() {
    lock.lock();
    try {
      return lastSequence;
    } finally {
      lock.unlock();
    }
  }

  /** @return the highest sequence known durable */
  public long durableSequence() {
    lock.lock();
    try {
      return durableSequence;
    } finally {
      lock.unlock();
    }
  }

  /** @return the segment files, oldest first */
  public List<Path> segmentFiles() {
    lock.lock();
    try {
      return new ArrayList<>(segments.values());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Syncs what was written (when the log is healthy) and closes the active segment. Idempotent.
   *
   * @throws StorageException if the final sync fails
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      while (syncing) {
        changed.awaitUninterruptibly();
      }
      StorageIO.StorageFile f = active;
      active = null;
      try {
        // Make waiting appenders' entries durable before telling them the log is closed.
        if (f != null && failure == null && durableSequence < lastSequence) {
          try {
            f.force();
            durableSequence = lastSequence;
          } catch (IOException e) {
            throw fail("syncing", e);
          }
        }
      } finally {
        closed = true;
        changed.signalAll();
        if (f != null) {
          try {
            f.close();
          } catch (IOException e) {
            throw FileFormat.io("closing write-ahead log segment", f.path(), e);
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }
}
