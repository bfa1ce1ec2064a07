package dev.quiver.local.internal.storage;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link ByteWriter} wrote from a byte array slice. Every read is bounds-checked and
 * throws {@link FormatException} instead of an index error, so corrupt input always surfaces as a
 * format problem the caller can attribute to a file.
 */
final class ByteReader {
  private final byte[] buf;
  private int pos;
  private final int end;

  ByteReader(byte[] buf, int off, int len) {
    this.buf = buf;
    this.pos = off;
    this.end = off + len;
  }

  ByteReader(byte[] buf) {
    this(buf, 0, buf.length);
  }

  private void need(int n) {
    if (n < 0 || end - pos < n) {
      throw new FormatException("truncated: need " + n + " bytes, " + (end - pos) + " left");
    }
  }

  int u8() {
    need(1);
    return buf[pos++] & 0xFF;
  }

  int i32() {
    need(4);
    int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
    pos += 4;
    return v;
  }

  long i64() {
    return ((long) i32() << 32) | (i32() & 0xFFFFFFFFL);
  }

  long varint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = u8();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (v < 0) {
          break;
        }
        return v;
      }
    }
    throw new FormatException("malformed varint");
  }

  /** A varint that must fit a count or length of at most {@code max}. */
  int count(int max) {
    long v = varint();
    if (v > max) {
      throw new FormatException("count " + v + " exceeds " + max);
    }
    return (int) v;
  }

  String string() {
    int n = count(Integer.MAX_VALUE);
    need(n);
    try {
      // Strict decoding: a malformed sequence is corruption, never silently replaced by U+FFFD.
      String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(buf, pos, n)).toString();
      pos += n;
      return s;
    } catch (CharacterCodingException e) {
      throw new FormatException("malformed UTF-8 string");
    }
  }

  float[] floats() {
    int n = count(Integer.MAX_VALUE / 4);
    need(4 * n);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = Float.intBitsToFloat(i32());
    }
    return v;
  }

  byte[] bytes(int n) {
    need(n);
    byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  int remaining() {
    return end - pos;
  }

  void expectEnd() {
    if (pos != end) {
      throw new FormatException((end - pos) + " unexpected trailing bytes");
    }
  }
}
