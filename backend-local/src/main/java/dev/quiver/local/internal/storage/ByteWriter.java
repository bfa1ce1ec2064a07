package dev.quiver.local.internal.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer with the few primitives the formats use: fixed-width
 * integers, unsigned LEB128 varints for lengths and counts, and UTF-8 strings (not the "modified
 * UTF-8" of {@code DataOutput.writeUTF}, which changes NUL and supplementary characters and caps
 * strings at 64 KiB).
 */
final class ByteWriter {
  private byte[] buf;
  private int size;

  ByteWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int extra) {
    if (size + extra > buf.length) {
      long want = Math.max((long) buf.length * 2, (long) size + extra);
      if (want > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("encoded entry larger than 2 GiB");
      }
      buf = Arrays.copyOf(buf, (int) want);
    }
  }

  ByteWriter u8(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  ByteWriter i32(int v) {
    ensure(4);
    buf[size++] = (byte) (v >>> 24);
    buf[size++] = (byte) (v >>> 16);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
    return this;
  }

  ByteWriter i64(long v) {
    i32((int) (v >>> 32));
    return i32((int) v);
  }

  /** Unsigned LEB128; {@code v} must not be negative. */
  ByteWriter varint(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative varint " + v);
    }
    while ((v & ~0x7FL) != 0) {
      u8((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    return u8((int) v);
  }

  ByteWriter bytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
    return this;
  }

  ByteWriter string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    varint(b.length);
    return bytes(b, 0, b.length);
  }

  /** Floats as their raw IEEE bits, so every value (including -0.0) comes back bit-identical. */
  ByteWriter floats(float[] v) {
    varint(v.length);
    ensure(4 * v.length);
    for (float f : v) {
      i32(Float.floatToRawIntBits(f));
    }
    return this;
  }

  /** Overwrites 4 bytes at {@code pos} (used to back-patch lengths and checksums). */
  void putI32(int pos, int v) {
    buf[pos] = (byte) (v >>> 24);
    buf[pos + 1] = (byte) (v >>> 16);
    buf[pos + 2] = (byte) (v >>> 8);
    buf[pos + 3] = (byte) v;
  }

  int size() {
    return size;
  }

  byte[] array() {
    return buf;
  }

  void reset() {
    size = 0;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  ByteBuffer asBuffer() {
    return ByteBuffer.wrap(buf, 0, size);
  }
}
