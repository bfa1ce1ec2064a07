package dev.quiver.local.internal.storage;

import static dev.quiver.local.internal.storage.WriteAheadLog.ENTRY_HEADER_SIZE;
import static dev.quiver.local.internal.storage.WriteAheadLog.ENTRY_OVERHEAD;
import static dev.quiver.local.internal.storage.WriteAheadLog.SEGMENT_HEADER_SIZE;

import dev.quiver.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Reads the log's segments when it is opened, hands the entries after the snapshot to the visitor
 * and decides what happens to the files. It tells two kinds of damage apart:
 *
 * <ul>
 *   <li>a <b>torn tail</b>: the last segment ends inside an entry (its frame is incomplete, or what
 *       follows the last intact entry is nothing but zeros) and no intact entry follows. A process
 *       killed mid-append leaves exactly this, and such an entry was never acknowledged: it is
 *       dropped and the segment truncated.
 *   <li><b>damage</b>: a complete entry frame whose checksum fails, an implausible length, an intact
 *       entry with the wrong sequence number, an incomplete entry followed by intact ones, anything
 *       wrong in a sealed segment. A kill cannot produce it, and the entry may have been
 *       acknowledged, so opening fails with a {@link StorageException} naming the file and byte
 *       offset, unless {@link StorageOptions#truncateDamagedLog()} asks to truncate the log at that
 *       point, dropping the entry and everything after it; the report then says how many entries
 *       were lost.
 * </ul>
 * Not thread-safe: runs once, inside {@link WriteAheadLog#open}.
 */
final class WalRecovery {

  private static final Pattern NAME = Pattern.compile("wal-(\\d{20})\\.qlog");

  private final StorageIO io;
  private final Path dir;
  private final StorageOptions options;
  private final long covered;
  private final WriteAheadLog.EntryVisitor visitor;

  // ---- the outcome, read by WriteAheadLog after run()
  /** Segments kept, including {@link #last} unless it is to be deleted. */
  final TreeMap<Long, Path> segments = new TreeMap<>();
  /** The newest segment left on disk, which the log seals (or deletes, see {@link #deleteLast}); may be null. */
  Path last;
  long lastValidEnd;
  boolean lastSealed;
  /** The last segment holds no entry (or not even a complete header) and is deleted. */
  boolean deleteLast;
  long lastSequence;
  LogRecoveryReport report;

  private long replayed;
  private long truncatedBytes;
  private String truncatedReason;

  /** Where the log is damaged. {@code entry}: an entry starts there (false: a footer or header). */
  private record Damage(Path file, int segmentIndex, long offset, long sequence, boolean entry, String problem) {}

  WalRecovery(StorageIO io, Path dir, long covered, StorageOptions options, WriteAheadLog.EntryVisitor visitor) {
    this.io = io;
    this.dir = dir;
    this.covered = covered;
    this.options = options;
    this.visitor = visitor;
  }

  void run() {
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
    List<Map.Entry<Long, Path>> segs = new ArrayList<>(found.entrySet());

    long next = -1; // the sequence the next entry must carry
    Damage damage = null;
    byte[] damagedData = null;
    for (int i = 0; i < segs.size() && damage == null; i++) {
      Path file = segs.get(i).getValue();
      long first = segs.get(i).getKey();
      boolean isLast = i == segs.size() - 1;
      byte[] data = readAll(file);
      int size = data.length;
      String headerProblem = describeHeaderProblem(data, first);
      if (headerProblem != null) {
        if (isLast && size <= SEGMENT_HEADER_SIZE) {
          // Creation of the newest segment was interrupted before its header was durable; it never
          // held an entry, because the header is fsynced before the first append.
          truncatedBytes += size;
          truncatedReason = "incomplete segment header in " + file.getFileName();
          last = file;
          deleteLast = true;
          break;
        }
        damage = new Damage(file, i, 0, next == -1 ? first : next, false, "bad segment header: " + headerProblem);
        damagedData = data;
        break;
      }
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
          } else if (isLast && nextIntact(data, pos + 1, next) < 0) {
            truncatedBytes += size - pos;
            truncatedReason = "torn footer at offset " + pos + " (" + problem + ")";
          } else {
            damage = new Damage(file, i, pos, next, false, "bad footer (" + problem + ")");
          }
          break;
        }
        Problem problem = entryProblem(data, pos, next);
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
        boolean tornShape = problem.incomplete() || allZero(data, pos);
        if (isLast && tornShape && nextIntact(data, pos + 1, next) < 0) {
          truncatedBytes += size - pos;
          truncatedReason = "torn tail at offset " + pos + ", entry " + next + ": "
              + (problem.incomplete() ? problem.text() : "zero-filled to the end of the file");
          break;
        }
        String why = !isLast ? " in a sealed segment"
            : tornShape ? ", and intact entries follow it, so it is not a torn tail"
            : ": the entry is complete, so this is not a torn tail";
        damage = new Damage(file, i, pos, next, true, problem.text() + why);
        break;
      }
      if (damage == null && !sealed && !isLast) {
        damage = new Damage(file, i, pos, next, false, "a sealed (non-last) segment has no footer");
      }
      if (damage != null) {
        damagedData = data;
        break;
      }
      segments.put(first, file);
      // the newest segment read so far; if a later one is damaged at its header, this one is last
      last = file;
      lastValidEnd = pos;
      lastSealed = sealed && pos == size;
    }
    if (damage != null) {
      next = truncateAt(damage, damagedData, segs);
    }
    if (next == -1 || next <= covered) {
      // An empty log, or one that ends inside the snapshot's range (the snapshot holds those entries).
      next = covered + 1;
    }
    if (!deleteLast && last != null && lastValidEnd == SEGMENT_HEADER_SIZE && !lastSealed) {
      deleteLast = true; // no entries: the new segment takes over its first sequence
    }
    if (deleteLast && last != null) {
      segments.values().remove(last);
    }
    lastSequence = next - 1;
    report = new LogRecoveryReport(lastSequence, replayed, truncatedBytes, truncatedReason,
        lostEntries, damage == null ? null : "in " + damage.file() + ", " + describe(damage));
  }

  private long lostEntries;
  private long lostFrom;
  private long lostTo;

  /**
   * Refuses to go on, or (when asked to) drops the log from the damage on.
   *
   * @return the sequence the next entry gets
   */
  private long truncateAt(Damage d, byte[] data, List<Map.Entry<Long, Path>> segs) {
    // What is lost: the damaged entry and every entry that can still be found after it.
    long highest = d.entry() ? d.sequence() : d.sequence() - 1;
    highest = Math.max(highest, maxIntactSequence(data, (int) d.offset(), d.sequence()));
    long laterBytes = 0;
    for (int j = d.segmentIndex() + 1; j < segs.size(); j++) {
      highest = Math.max(highest, segs.get(j).getKey() - 1); // its name says the entries before it existed
      byte[] later = readAll(segs.get(j).getValue());
      laterBytes += later.length;
      highest = Math.max(highest, maxIntactSequence(later, SEGMENT_HEADER_SIZE, d.sequence()));
    }
    lostFrom = Math.max(d.sequence(), covered + 1);
    lostTo = highest;
    lostEntries = Math.max(0, lostTo - lostFrom + 1);
    if (!options.truncateDamagedLog()) {
      throw FileFormat.corrupt(d.file(), describe(d) + ". Opening with recovery by truncation (local:<path>?recover="
          + "truncate, or LocalVectorStore.Builder.recoverByTruncating(true)) would drop it and everything after it: "
          + lost());
    }
    // Newest first, so that a crash half-way leaves a log without gaps (it reports the damage again).
    for (int j = segs.size() - 1; j > d.segmentIndex(); j--) {
      delete(segs.get(j).getValue());
    }
    truncatedBytes += laterBytes + data.length - d.offset();
    truncatedReason = "damaged log truncated, " + lost() + " lost: in " + d.file() + ", " + describe(d);
    if (d.offset() < SEGMENT_HEADER_SIZE) {
      delete(d.file()); // nothing in it can be trusted; the previous segment (already sealed) is last
    } else {
      segments.put(segs.get(d.segmentIndex()).getKey(), d.file());
      last = d.file();
      lastValidEnd = d.offset();
      lastSealed = false;
    }
    return d.sequence();
  }

  private String lost() {
    return lostEntries == 0 ? "no entries"
        : lostEntries == 1 ? "1 entry (" + lostFrom + ")"
        : lostEntries + " entries (" + lostFrom + ".." + lostTo + ")";
  }

  /** Where and what, without the file (the exception names it). */
  private static String describe(Damage d) {
    String what = d.entry() ? "write-ahead log entry " + d.sequence() : "write-ahead log segment";
    return what + " at byte offset " + d.offset() + " is damaged: " + d.problem();
  }

  // ---------------------------------------------------------------- parsing

  /** Why the bytes at a position are not the intact entry expected there. */
  private record Problem(String text, boolean incomplete) {}

  /** @return null when an intact entry with sequence {@code expected} starts at {@code pos} */
  private Problem entryProblem(byte[] data, int pos, long expected) {
    int avail = data.length - pos;
    if (avail < 4) {
      return new Problem("only " + avail + " bytes left, not even an entry length", true);
    }
    int len = readInt(data, pos);
    if (len < 0 || len > options.maxEntryBytes()) {
      return new Problem("implausible length " + len, false);
    }
    if ((long) len + ENTRY_OVERHEAD > avail) {
      return new Problem("entry of " + (len + ENTRY_OVERHEAD) + " bytes but only " + avail + " left", true);
    }
    if (!checksumMatches(data, pos, len)) {
      return new Problem("checksum mismatch", false);
    }
    long seq = readLong(data, pos + 4);
    if (seq != expected) {
      // An intact entry with the wrong number cannot come from a crash during an append.
      return new Problem("intact entry carries sequence " + seq + " where " + expected + " was expected", false);
    }
    return null;
  }

  private static boolean checksumMatches(byte[] data, int pos, int len) {
    CRC32C crc = new CRC32C();
    crc.update(data, pos, ENTRY_HEADER_SIZE + len);
    return (int) crc.getValue() == readInt(data, pos + ENTRY_HEADER_SIZE + len);
  }

  /**
   * An intact entry with sequence at least {@code minSequence} starting at offset {@code p}, or -1.
   * Cheap plausibility checks come first, so random bytes almost never reach the CRC.
   */
  private int intactAt(byte[] data, int p, long minSequence) {
    if (p + ENTRY_OVERHEAD > data.length) {
      return -1;
    }
    int len = readInt(data, p);
    if (len < 0 || len > options.maxEntryBytes() || (long) p + ENTRY_OVERHEAD + len > data.length) {
      return -1;
    }
    long seq = readLong(data, p + 4);
    long durable = readLong(data, p + 12);
    if (seq < minSequence || durable < 0 || durable >= seq) { // the writer always records durable < seq
      return -1;
    }
    return checksumMatches(data, p, len) ? len : -1;
  }

  /**
   * Looks byte by byte (so a damaged length field cannot hide anything) for an intact entry.
   *
   * @return its offset, or -1 when there is none
   */
  private int nextIntact(byte[] data, int from, long minSequence) {
    for (int p = from; p + ENTRY_OVERHEAD <= data.length; p++) {
      if (intactAt(data, p, minSequence) >= 0) {
        return p;
      }
    }
    return -1;
  }

  /** @return the highest sequence of an intact entry at or after {@code from}, or -1 */
  private long maxIntactSequence(byte[] data, int from, long minSequence) {
    long max = -1;
    int p = Math.max(0, from);
    while (p + ENTRY_OVERHEAD <= data.length) {
      int len = intactAt(data, p, minSequence);
      if (len < 0) {
        p++;
        continue;
      }
      max = Math.max(max, readLong(data, p + 4));
      p += ENTRY_OVERHEAD + len;
    }
    return max;
  }

  private static boolean allZero(byte[] data, int from) {
    for (int i = from; i < data.length; i++) {
      if (data[i] != 0) {
        return false;
      }
    }
    return true;
  }

  static int readInt(byte[] b, int pos) {
    return ((b[pos] & 0xFF) << 24) | ((b[pos + 1] & 0xFF) << 16) | ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
  }

  static long readLong(byte[] b, int pos) {
    return ((long) readInt(b, pos) << 32) | (readInt(b, pos + 4) & 0xFFFFFFFFL);
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
}
