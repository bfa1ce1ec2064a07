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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Recovery uses it to tell a torn tail from real corruption: if an entry is damaged and a later intact
 * entry says the damaged one was already durable, the damage cannot come from a crash and opening
 * fails loudly; otherwise the damaged entry and everything after it were never acknowledged and are
 * truncated away.
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
public final class WriteAheadLog implements Closeable {

  static final String PREFIX = "wal-";
  static final String SUFFIX = ".qlog";
  private static final Pattern NAME = Pattern.compile("wal-(\\d{20})\\.qlog");

  static final int SEGMENT_HEADER_SIZE = FileFormat.HEADER_SIZE + 8 + 4;
  /** length + sequence + durable. */
  static final int ENTRY_HEADER_SIZE = 4 + 8 + 8;
  static final int ENTRY_OVERHEAD = ENTRY_HEADER_SIZE + 4;

  /** Receives the entries replayed at open. */
  @FunctionalInterface
  public interface EntryVisitor {
    /**
     * @param sequence the entry's sequence number (consecutive, from 1)
     * @param payload its bytes
     */
    void entry(long sequence, byte[] payload);
  }

  /**
   * What recovery found; for logs and tests.
   *
   * @param lastSequence the last sequence in the log after recovery (or the snapshot's, if larger)
   * @param replayed how many entries were handed to the visitor
   * @param truncatedBytes bytes dropped as a torn tail
   * @param truncatedReason why, or null when nothing was dropped
   */
  public record RecoveryReport(long lastSequence, long replayed, long truncatedBytes, String truncatedReason) {}

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
  private RecoveryReport report;

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
    List<Path> files;
    try {
      files = io.list(dir);
    } catch (IOException e) {
      throw FileFormat.io("listing", dir, e);
    }
    TreeMap<Long, Path> found = new TreeMap<>();
    for (Path f : files) {
      Matcher m = NAME.matcher(f.getFileName().toString());
      if (m.matches()) {
        found.put(Long.parseLong(m.group(1)), f);
      }
    }
    // Segments whose every entry is covered by the snapshot are leftovers of an interrupted cleanup.
    while (found.size() > 1) {
      Map.Entry<Long, Path> first = found.firstEntry();
      long nextFirst = found.higherKey(first.getKey());
      if (nextFirst - 1 > covered) {
        break;
      }
      delete(first.getValue());
      found.pollFirstEntry();
    }

    long next = -1; // the sequence the next entry must carry
    long replayed = 0;
    long truncated = 0;
    String truncatedReason = null;
    Path last = found.isEmpty() ? null : found.lastEntry().getValue();
    long lastValidEnd = -1;
    boolean lastSealed = false;
    boolean lastHasHeader = true;
    for (Map.Entry<Long, Path> seg : found.entrySet()) {
      Path file = seg.getValue();
      boolean isLast = file.equals(last);
      byte[] data = readAll(file);
      int size = data.length;
      if (!validSegmentHeader(data, seg.getKey())) {
        if (isLast && size <= SEGMENT_HEADER_SIZE) {
          // Creation of the newest segment was interrupted before its header was durable; it never
          // held an entry, because the header is fsynced before the first append.
          lastHasHeader = false;
          truncated += size;
          truncatedReason = "incomplete segment header";
          break;
        }
        throw FileFormat.corrupt(file, describeHeaderProblem(data, seg.getKey()));
      }
      long first = seg.getKey();
      if (next == -1) {
        if (first > covered + 1) {
          throw new StorageException("write-ahead log in " + dir + " is missing entries " + (covered + 1) + ".."
              + (first - 1) + " (the oldest segment " + file.getFileName() + " starts at " + first + ")", null);
        }
      } else if (first != next) {
        throw new StorageException("write-ahead log in " + dir + " has a gap or overlap: " + file.getFileName()
            + " starts at " + first + " but the previous segment ends at " + (next - 1), null);
      }
      next = first;
      int pos = SEGMENT_HEADER_SIZE;
      boolean sealed = false;
      while (pos < size) {
        if (size - pos >= 4 && readInt(data, pos) == FileFormat.FOOTER_MAGIC) {
          String problem = footerProblem(data, pos);
          if (problem == null) {
            sealed = true;
            pos = size;
            break;
          }
          if (!isLast) {
            throw FileFormat.corrupt(file, "bad footer at offset " + pos + ": " + problem);
          }
          truncated += size - pos;
          truncatedReason = "torn footer at offset " + pos + " (" + problem + ")";
          break;
        }
        String problem = entryProblem(file, data, pos, next);
        if (problem == null) {
          int len = readInt(data, pos);
          if (next > covered) {
            byte[] payload = java.util.Arrays.copyOfRange(data, pos + ENTRY_HEADER_SIZE, pos + ENTRY_HEADER_SIZE + len);
            visitor.entry(next, payload);
            replayed++;
          }
          next++;
          pos += ENTRY_OVERHEAD + len;
          continue;
        }
        if (!isLast) {
          throw FileFormat.corrupt(file, "entry " + next + " at offset " + pos + " is damaged (" + problem
              + ") in a sealed segment");
        }
        long proof = laterDurableProof(data, pos + 1, next);
        if (proof >= 0) {
          throw FileFormat.corrupt(file, "entry " + next + " at offset " + pos + " is damaged (" + problem
              + ") but the intact later entry " + proof + " records it as already durable: this is corruption, not a torn write");
        }
        truncated += size - pos;
        truncatedReason = "torn tail at offset " + pos + ", entry " + next + ": " + problem;
        break;
      }
      if (!sealed && !isLast) {
        throw FileFormat.corrupt(file, "sealed segment has no footer");
      }
      if (isLast) {
        lastValidEnd = pos;
        lastSealed = sealed && pos == size;
      }
    }
    if (next == -1) {
      next = covered + 1;
    } else if (next <= covered) {
      // The log ends inside the snapshot's range: fine (the snapshot holds those entries).
      next = covered + 1;
    }
    lastSequence = next - 1;
    durableSequence = lastSequence;
    report = new RecoveryReport(lastSequence, replayed, truncated, truncatedReason);

    // Make the previous last segment durable and sealed before anything new is acknowledged: its
    // entries may still sit only in the page cache of a killed process.
    if (last != null) {
      if (!lastHasHeader) {
        delete(last);
        found.remove(found.lastKey());
      } else if (lastValidEnd == SEGMENT_HEADER_SIZE && !lastSealed) {
        delete(last); // no entries: the new segment takes over its first sequence
        found.remove(found.lastKey());
      } else {
        seal(last, lastValidEnd, lastSealed);
      }
    }
    segments.putAll(found);
    startSegment(lastSequence + 1);
  }

  private static int readInt(byte[] b, int pos) {
    return ((b[pos] & 0xFF) << 24) | ((b[pos + 1] & 0xFF) << 16) | ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
  }

  private static long readLong(byte[] b, int pos) {
    return ((long) readInt(b, pos) << 32) | (readInt(b, pos + 4) & 0xFFFFFFFFL);
  }

  private static boolean validSegmentHeader(byte[] data, long first) {
    return describeHeaderProblem(data, first) == null;
  }

  private static String describeHeaderProblem(byte[] data, long first) {
    if (data.length < SEGMENT_HEADER_SIZE) {
      return "segment shorter than its header (" + data.length + " bytes)";
    }
    try {
      FileFormat.checkHeader(data, 0, data.length, FileFormat.Kind.WAL_SEGMENT);
    } catch (FormatException e) {
      return e.getMessage();
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 0, SEGMENT_HEADER_SIZE - 4);
    if ((int) crc.getValue() != readInt(data, SEGMENT_HEADER_SIZE - 4)) {
      return "segment header checksum mismatch";
    }
    long stored = readLong(data, FileFormat.HEADER_SIZE);
    if (stored != first) {
      return "segment header says it starts at " + stored + " but its name says " + first;
    }
    return null;
  }

  /** @return null when an intact entry with sequence {@code expected} starts at {@code pos} */
  private String entryProblem(Path file, byte[] data, int pos, long expected) {
    int avail = data.length - pos;
    if (avail < ENTRY_OVERHEAD) {
      return "only " + avail + " bytes left, an entry needs at least " + ENTRY_OVERHEAD;
    }
    int len = readInt(data, pos);
    if (len < 0 || len > options.maxEntryBytes()) {
      return "implausible length " + len;
    }
    if ((long) len + ENTRY_OVERHEAD > avail) {
      return "entry of " + (len + ENTRY_OVERHEAD) + " bytes but only " + avail + " left";
    }
    CRC32C crc = new CRC32C();
    crc.update(data, pos, ENTRY_HEADER_SIZE + len);
    if ((int) crc.getValue() != readInt(data, pos + ENTRY_HEADER_SIZE + len)) {
      return "checksum mismatch";
    }
    long seq = readLong(data, pos + 4);
    if (seq != expected) {
      // An intact entry with the wrong number cannot come from a crash during an append.
      throw FileFormat.corrupt(file, "intact entry at offset " + pos + " carries sequence " + seq + " where "
          + expected + " was expected");
    }
    return null;
  }

  /**
   * Looks past a damaged entry for an intact one that proves the damaged one had been durable.
   *
   * @return that entry's sequence, or -1 when there is none (the damage is a torn tail)
   */
  private long laterDurableProof(byte[] data, int from, long damaged) {
    for (int p = from; p + ENTRY_OVERHEAD <= data.length; p++) {
      int len = readInt(data, p);
      if (len < 0 || len > options.maxEntryBytes() || (long) p + ENTRY_OVERHEAD + len > data.length) {
        continue;
      }
      long seq = readLong(data, p + 4);
      long durable = readLong(data, p + 12);
      // Cheap plausibility checks first, so random bytes almost never reach the CRC.
      if (seq <= damaged || durable < damaged || durable >= seq) {
        continue;
      }
      CRC32C crc = new CRC32C();
      crc.update(data, p, ENTRY_HEADER_SIZE + len);
      if ((int) crc.getValue() == readInt(data, p + ENTRY_HEADER_SIZE + len)) {
        return seq;
      }
    }
    return -1;
  }

  private static String footerProblem(byte[] data, int pos) {
    if (data.length - pos != FileFormat.FOOTER_SIZE) {
      return (data.length - pos) + " bytes where a " + FileFormat.FOOTER_SIZE + "-byte footer should end the file";
    }
    if (readLong(data, pos + 4) != pos) {
      return "footer length " + readLong(data, pos + 4) + " does not match its offset " + pos;
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - 4);
    if ((int) crc.getValue() != readInt(data, data.length - 4)) {
      return "segment checksum mismatch";
    }
    return null;
  }

  private byte[] readAll(Path file) {
    try (StorageIO.StorageFile f = io.openRead(file)) {
      long size = f.size();
      if (size > Integer.MAX_VALUE - 64) {
        throw FileFormat.corrupt(file, "segment of " + size + " bytes is larger than any this log writes");
      }
      byte[] data = new byte[(int) size];
      FileFormat.readFully(f, ByteBuffer.wrap(data), 0);
      return data;
    } catch (IOException e) {
      throw FileFormat.io("reading", file, e);
    }
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
  public RecoveryReport recoveryReport() {
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
