package dev.quiver.local.internal.storage;

import dev.quiver.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The envelope every storage file shares, in the spirit of Lucene's {@code CodecUtil}: a header
 * that says what the file is and which format version wrote it, and a footer with a CRC32C of every
 * byte before the checksum field. Reading checks both, so a file that is truncated, overwritten, of
 * the wrong kind or from a newer version is refused with a {@link StorageException} naming it,
 * instead of being half-parsed.
 *
 * <pre>
 * header (8 bytes):  magic u32 'QVRF' | kind u8 | version u16 | reserved u8 (0)
 * footer (16 bytes): ~magic u32 | length i64 (bytes before the footer) | crc32c u32 (all bytes before this field)
 * </pre>
 *
 * All integers are big-endian. The footer magic is the bitwise complement of the header magic, so it
 * is negative as a signed int and can never be mistaken for a WAL entry length.
 */
final class FileFormat {

  /** 'QVRF'. */
  static final int MAGIC = 0x51565246;
  static final int FOOTER_MAGIC = ~MAGIC;
  static final int HEADER_SIZE = 8;
  static final int FOOTER_SIZE = 16;

  /**
   * What a file holds. Codes are part of the format and never reused. A build writes the newest version
   * of each kind and reads every version from {@code oldest} on: a store written by an older Quiver opens,
   * and a file from a newer one is refused with a message that says so.
   */
  enum Kind {
    /** Version 2 added tenant operations and specs with declared fields (codec tags 6-9); 1 is read. */
    WAL_SEGMENT(1, 1, 2),
    /** Version 2 added extended specs and tenant sections (item tags 4, 5); 1 is read. */
    SNAPSHOT(2, 1, 2),
    MANIFEST(3, 1, 1);

    final int code;
    /** The oldest version this build reads. */
    final int oldest;
    /** The version this build writes, and the newest it reads. */
    final int version;

    Kind(int code, int oldest, int version) {
      this.code = code;
      this.oldest = oldest;
      this.version = version;
    }
  }

  private FileFormat() {}

  static void writeHeader(ByteWriter w, Kind kind) {
    w.i32(MAGIC).u8(kind.code).u8(kind.version >>> 8).u8(kind.version).u8(0);
  }

  /**
   * Checks a header.
   *
   * @throws FormatException with the reason when it is not a header of {@code kind} in a version from
   *     {@code kind.oldest} to {@code kind.version}
   */
  static void checkHeader(byte[] b, int off, int len, Kind kind) {
    if (len < HEADER_SIZE) {
      throw new FormatException("file shorter than its header (" + len + " bytes)");
    }
    ByteReader r = new ByteReader(b, off, HEADER_SIZE);
    int magic = r.i32();
    if (magic != MAGIC) {
      throw new FormatException(String.format("not a Quiver storage file (magic 0x%08x)", magic));
    }
    int code = r.u8();
    if (code != kind.code) {
      throw new FormatException("file kind " + code + ", expected " + kind + " (" + kind.code + ")");
    }
    int version = (r.u8() << 8) | r.u8();
    if (version < kind.oldest || version > kind.version) {
      throw new FormatException(kind + " format version " + version + " is not supported (this build reads "
          + (kind.oldest == kind.version ? String.valueOf(kind.version) : kind.oldest + " to " + kind.version) + ")"
          + (version > kind.version ? "; it was written by a newer Quiver" : ""));
    }
    r.u8(); // reserved
  }

  static StorageException corrupt(Path file, String reason) {
    return new StorageException("corrupt storage file " + file + ": " + reason, null);
  }

  static StorageException io(String what, Path file, IOException e) {
    return new StorageException(what + " " + file + " failed: " + e, e);
  }

  /**
   * Reads a whole checksummed file (header and footer verified) into memory. For small files
   * (the manifest) and for verifying before streaming.
   *
   * @return the body: the bytes between header and footer
   */
  static byte[] readVerified(StorageIO io, Path file, Kind kind) {
    try (StorageIO.StorageFile f = io.openRead(file)) {
      long size = f.size();
      if (size > Integer.MAX_VALUE - 64) {
        throw corrupt(file, "too large to read whole (" + size + " bytes)");
      }
      byte[] all = new byte[(int) size];
      readFully(f, ByteBuffer.wrap(all), 0);
      verifyEnvelope(file, all, all.length, kind);
      return java.util.Arrays.copyOfRange(all, HEADER_SIZE, all.length - FOOTER_SIZE);
    } catch (IOException e) {
      throw io("reading", file, e);
    }
  }

  /** Verifies header and footer of {@code len} bytes held in {@code all}. */
  static void verifyEnvelope(Path file, byte[] all, int len, Kind kind) {
    try {
      checkHeader(all, 0, len, kind);
    } catch (FormatException e) {
      throw corrupt(file, e.getMessage());
    }
    if (len < HEADER_SIZE + FOOTER_SIZE) {
      throw corrupt(file, "no footer: " + len + " bytes (truncated?)");
    }
    ByteReader r = new ByteReader(all, len - FOOTER_SIZE, FOOTER_SIZE);
    int footerMagic = r.i32();
    long length = r.i64();
    int stored = r.i32();
    if (footerMagic != FOOTER_MAGIC) {
      throw corrupt(file, "no footer (truncated or overwritten?)");
    }
    if (length != len - FOOTER_SIZE) {
      throw corrupt(file, "footer says " + length + " bytes precede it, found " + (len - FOOTER_SIZE));
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, len - 4);
    if ((int) crc.getValue() != stored) {
      throw corrupt(file, String.format("checksum mismatch (stored %08x, computed %08x)", stored, (int) crc.getValue()));
    }
  }

  /**
   * Streams a file's checksum without holding it in memory, then checks header and footer.
   * Snapshots are verified this way before any byte of them reaches the engine.
   *
   * @return the file size
   */
  static long verifyStreaming(StorageIO io, Path file, Kind kind) {
    try (StorageIO.StorageFile f = io.openRead(file)) {
      long size = f.size();
      if (size < HEADER_SIZE + FOOTER_SIZE) {
        throw corrupt(file, "only " + size + " bytes: no room for header and footer (truncated?)");
      }
      byte[] head = new byte[HEADER_SIZE];
      readFully(f, ByteBuffer.wrap(head), 0);
      try {
        checkHeader(head, 0, HEADER_SIZE, kind);
      } catch (FormatException e) {
        throw corrupt(file, e.getMessage());
      }
      CRC32C crc = new CRC32C();
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      long pos = 0;
      long crcEnd = size - 4;
      while (pos < crcEnd) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), crcEnd - pos));
        readFully(f, buf, pos);
        buf.flip();
        pos += buf.remaining();
        crc.update(buf);
      }
      byte[] foot = new byte[FOOTER_SIZE];
      readFully(f, ByteBuffer.wrap(foot), size - FOOTER_SIZE);
      ByteReader r = new ByteReader(foot);
      if (r.i32() != FOOTER_MAGIC) {
        throw corrupt(file, "no footer (truncated or overwritten?)");
      }
      long length = r.i64();
      if (length != size - FOOTER_SIZE) {
        throw corrupt(file, "footer says " + length + " bytes precede it, found " + (size - FOOTER_SIZE));
      }
      int stored = r.i32();
      if (stored != (int) crc.getValue()) {
        throw corrupt(file, String.format("checksum mismatch (stored %08x, computed %08x)", stored, (int) crc.getValue()));
      }
      return size;
    } catch (IOException e) {
      throw io("reading", file, e);
    }
  }

  static void readFully(StorageIO.StorageFile f, ByteBuffer dst, long position) throws IOException {
    long pos = position;
    while (dst.hasRemaining()) {
      int n = f.read(dst, pos);
      if (n < 0) {
        throw new java.io.EOFException("unexpected end of " + f.path() + " at " + pos);
      }
      pos += n;
    }
  }

  /**
   * Writes a checksummed file through a buffer, keeping the running CRC32C and byte count so the
   * footer can be appended at the end without re-reading anything.
   */
  static final class ChecksumOutput extends OutputStream {
    private final StorageIO.StorageFile file;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    private long written;

    ChecksumOutput(StorageIO.StorageFile file, Kind kind) throws IOException {
      this.file = file;
      ByteWriter h = new ByteWriter(HEADER_SIZE);
      writeHeader(h, kind);
      write(h.array(), 0, h.size());
    }

    @Override
    public void write(int b) throws IOException {
      if (!buf.hasRemaining()) {
        drain();
      }
      buf.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (!buf.hasRemaining()) {
          drain();
        }
        int n = Math.min(len, buf.remaining());
        buf.put(b, off, n);
        off += n;
        len -= n;
      }
    }

    private void drain() throws IOException {
      buf.flip();
      crc.update(buf.duplicate());
      written += buf.remaining();
      file.write(buf);
      buf.clear();
    }

    /** Appends the footer and writes everything out (no fsync: the caller decides when). */
    void finish() throws IOException {
      ByteWriter foot = new ByteWriter(FOOTER_SIZE);
      foot.i32(FOOTER_MAGIC);
      write(foot.array(), 0, 4);
      long length = written + buf.position() - 4;
      foot.reset();
      foot.i64(length);
      write(foot.array(), 0, 8);
      drain();
      foot.reset();
      foot.i32((int) crc.getValue());
      file.write(foot.asBuffer());
    }

    @Override
    public void flush() {
      // Deliberately nothing: bytes reach the file at finish(), and durability comes from force().
    }
  }

  /** Buffered sequential reads of a file region; the checksum was verified beforehand. */
  static final class RegionInput extends InputStream {
    private final StorageIO.StorageFile file;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    private long pos;
    private final long end;

    RegionInput(StorageIO.StorageFile file, long start, long end) {
      this.file = file;
      this.pos = start;
      this.end = end;
      buf.limit(0);
    }

    private boolean fill() throws IOException {
      if (pos >= end) {
        return false;
      }
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), end - pos));
      readFully(file, buf, pos);
      pos += buf.limit();
      buf.flip();
      return true;
    }

    @Override
    public int read() throws IOException {
      if (!buf.hasRemaining() && !fill()) {
        return -1;
      }
      return buf.get() & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!buf.hasRemaining() && !fill()) {
        return -1;
      }
      int n = Math.min(len, buf.remaining());
      buf.get(b, off, n);
      return n;
    }
  }
}
