package dev.quiver.local.internal.storage;

import dev.quiver.CollectionSpec;
import dev.quiver.Record;
import dev.quiver.StorageException;
import dev.quiver.VectorStoreException;
import dev.quiver.spi.AbstractVectorCollection;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes and reads snapshot files. Body after the file header:
 *
 * <pre>
 * covered sequence i64
 * item*: tag u8, then
 *   1 COLLECTION           varint length, spec
 *   4 EXTENDED COLLECTION  varint length, spec, spec extension (version 2: declared fields, tenants)
 *   5 TENANT               varint length, tenant name (version 2: the records and blobs up to the next
 *                          TENANT or collection belong to that tenant of the current collection)
 *   2 RECORD               varint length, record (encoded as in the WAL)
 *   3 BLOB                 name (string), chunk* (varint length &gt; 0, bytes), varint 0
 *   0 END
 * </pre>
 * followed by the checksum footer. A snapshot is read only after its whole-file checksum verified, so
 * the engine never sees a byte of a damaged snapshot.
 */
final class SnapshotFile {

  static final int T_END = 0;
  static final int T_COLLECTION = 1;
  static final int T_RECORD = 2;
  static final int T_BLOB = 3;
  static final int T_COLLECTION_EXTENDED = 4;
  static final int T_TENANT = 5;

  private SnapshotFile() {}

  /**
   * Writes a complete snapshot (footer included) to a new file and forces it. Does not rename.
   */
  static void write(StorageIO io, Path file, long coveredSequence, SnapshotWriter.Source source) throws IOException {
    try (StorageIO.StorageFile f = io.create(file)) {
      FileFormat.ChecksumOutput out = new FileFormat.ChecksumOutput(f, FileFormat.Kind.SNAPSHOT);
      Writer w = new Writer(out);
      w.scratch.i64(coveredSequence);
      w.flushScratch();
      source.writeTo(w);
      out.write(T_END);
      out.finish();
      f.force();
    }
  }

  /** The {@link SnapshotWriter} handed to the engine. */
  private static final class Writer implements SnapshotWriter {
    private final FileFormat.ChecksumOutput out;
    private final ByteWriter scratch = new ByteWriter(4096);
    private final ByteWriter item = new ByteWriter(4096);
    private boolean inSection;
    private boolean multiTenant;

    Writer(FileFormat.ChecksumOutput out) {
      this.out = out;
    }

    /** Writes {@code tag}, the item's length and the item. */
    private void flushItem(int tag) throws IOException {
      scratch.u8(tag).varint(item.size());
      flushScratch();
      out.write(item.array(), 0, item.size());
      item.reset();
    }

    private void flushScratch() throws IOException {
      out.write(scratch.array(), 0, scratch.size());
      scratch.reset();
    }

    @Override
    public void collection(CollectionSpec spec) throws IOException {
      Codec.writeSpec(item, spec);
      boolean extended = Codec.isExtended(spec);
      if (extended) {
        Codec.writeSpecExtension(item, spec);
      }
      flushItem(extended ? T_COLLECTION_EXTENDED : T_COLLECTION);
      inSection = true;
      multiTenant = spec.multiTenant();
    }

    @Override
    public void tenant(String tenant) throws IOException {
      requireSection();
      if (!multiTenant) {
        throw new IllegalStateException("tenant(...) in the section of a collection that is not multi-tenant");
      }
      item.string(tenant);
      flushItem(T_TENANT);
    }

    @Override
    public void record(Record record) throws IOException {
      requireSection();
      Codec.writeRecord(item, record);
      flushItem(T_RECORD);
    }

    @Override
    public void blob(String name, BlobContent content) throws IOException {
      requireSection();
      if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new IllegalArgumentException("blob name must be 1..255 UTF-8 bytes, got " + name);
      }
      scratch.u8(T_BLOB).string(name);
      flushScratch();
      ChunkedOutput chunks = new ChunkedOutput(out);
      DataOutputStream data = new DataOutputStream(chunks);
      content.writeTo(data);
      data.flush();
      chunks.end();
    }

    private void requireSection() {
      if (!inSection) {
        throw new IllegalStateException("call collection(spec) before adding records or blobs");
      }
    }
  }

  /** Frames a blob as chunks, so its length need not be known in advance. */
  private static final class ChunkedOutput extends OutputStream {
    private final OutputStream out;
    private final byte[] buf = new byte[1 << 16];
    private int n;
    private final ByteWriter len = new ByteWriter(8);

    ChunkedOutput(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      if (n == buf.length) {
        emit();
      }
      buf[n++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int count) throws IOException {
      while (count > 0) {
        if (n == buf.length) {
          emit();
        }
        int k = Math.min(count, buf.length - n);
        System.arraycopy(b, off, buf, n, k);
        n += k;
        off += k;
        count -= k;
      }
    }

    private void emit() throws IOException {
      if (n > 0) {
        len.reset();
        len.varint(n);
        out.write(len.array(), 0, len.size());
        out.write(buf, 0, n);
        n = 0;
      }
    }

    void end() throws IOException {
      emit();
      out.write(0);
    }
  }

  /**
   * Verifies a snapshot's checksum, then streams its content to the handler.
   *
   * @return the covered sequence
   */
  static long read(StorageIO io, Path file, RecoveryHandler handler) {
    long size = FileFormat.verifyStreaming(io, file, FileFormat.Kind.SNAPSHOT);
    try (StorageIO.StorageFile f = io.openRead(file)) {
      DataInputStream in = new DataInputStream(
          new FileFormat.RegionInput(f, FileFormat.HEADER_SIZE, size - FileFormat.FOOTER_SIZE));
      long covered = in.readLong();
      handler.snapshotStart(covered);
      String current = null;
      boolean multiTenant = false;
      while (true) {
        int tag = in.read();
        switch (tag) {
          case T_END:
            if (in.read() != -1) {
              throw FileFormat.corrupt(file, "bytes after the end marker");
            }
            return covered;
          case T_COLLECTION:
          case T_COLLECTION_EXTENDED: {
            ByteReader item = new ByteReader(readItem(in, file));
            CollectionSpec spec = Codec.readSpec(item);
            if (tag == T_COLLECTION_EXTENDED) {
              spec = Codec.readSpecExtension(item, spec);
            }
            item.expectEnd();
            current = spec.name();
            multiTenant = spec.multiTenant();
            handler.collection(spec);
            break;
          }
          case T_TENANT: {
            if (current == null || !multiTenant) {
              throw FileFormat.corrupt(file, "tenant section outside a multi-tenant collection");
            }
            ByteReader item = new ByteReader(readItem(in, file));
            String tenant = item.string();
            item.expectEnd();
            handler.tenant(current, AbstractVectorCollection.checkTenant(tenant));
            break;
          }
          case T_RECORD: {
            if (current == null) {
              throw FileFormat.corrupt(file, "record outside a collection section");
            }
            ByteReader item = new ByteReader(readItem(in, file));
            Record record = Codec.readRecord(item);
            item.expectEnd();
            handler.record(current, record);
            break;
          }
          case T_BLOB: {
            if (current == null) {
              throw FileFormat.corrupt(file, "blob outside a collection section");
            }
            String name = readString(in);
            ChunkedInput blob = new ChunkedInput(in);
            handler.blob(current, name, new DataInputStream(blob));
            blob.skipRest();
            break;
          }
          default:
            throw FileFormat.corrupt(file, "unknown item tag " + tag);
        }
      }
    } catch (FormatException | EOFException e) {
      throw FileFormat.corrupt(file, e.getMessage());
    } catch (VectorStoreException e) {
      if (e instanceof StorageException) {
        throw e;
      }
      throw FileFormat.corrupt(file, "a value does not decode: " + e.getMessage());
    } catch (IOException e) {
      throw FileFormat.io("reading snapshot", file, e);
    }
  }

  private static byte[] readItem(DataInputStream in, Path file) throws IOException {
    int n = (int) readVarint(in, 1 << 30);
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new EOFException("truncated item");
    }
    return b;
  }

  private static String readString(InputStream in) throws IOException {
    int n = (int) readVarint(in, 255);
    byte[] b = new DataInputStream(in).readNBytes(n);
    if (b.length != n) {
      throw new EOFException("truncated blob name");
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  static long readVarint(InputStream in, long max) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("truncated varint");
      }
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (v < 0 || v > max) {
          throw new FormatException("length " + v + " exceeds " + max);
        }
        return v;
      }
    }
    throw new FormatException("malformed varint");
  }

  /** Reads a chunked blob; end of stream at the zero chunk. */
  private static final class ChunkedInput extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    ChunkedInput(InputStream in) {
      this.in = in;
    }

    private boolean advance() throws IOException {
      while (left == 0 && !done) {
        left = readVarint(in, 1 << 16);
        if (left == 0) {
          done = true;
        }
      }
      return !done;
    }

    @Override
    public int read() throws IOException {
      if (!advance()) {
        return -1;
      }
      int b = in.read();
      if (b < 0) {
        throw new EOFException("truncated blob");
      }
      left--;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!advance()) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("truncated blob");
      }
      left -= n;
      return n;
    }

    void skipRest() throws IOException {
      byte[] sink = new byte[8192];
      while (read(sink, 0, sink.length) >= 0) {
        // discard what the handler did not read
      }
    }
  }
}
