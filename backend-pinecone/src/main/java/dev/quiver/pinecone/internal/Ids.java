package dev.quiver.pinecone.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Maps Quiver ids (any Unicode, up to 512 UTF-8 bytes) to Pinecone ids (1..512 ASCII characters, no
 * {@code \0}, no spaces for fetch) and back, one to one. Printable ASCII other than space and {@code %}
 * is kept as is; every other character (space, {@code %}, control characters, non-ASCII) becomes
 * {@code %XX} per UTF-8 byte. So plain ASCII ids are stored unchanged, and decoding is exact.
 *
 * <p>An id whose escaped form would exceed 512 characters (possible: Quiver allows 512 UTF-8 bytes,
 * and every non-ASCII byte takes 3 characters) is stored under {@code %h<SHA-256 hex>} instead, with
 * the caller's id kept in the reserved metadata key {@value #ID_KEY} (as the Qdrant adapter keeps the
 * original id in its payload). {@code %h} never occurs in an escaped id ({@code %} is always followed
 * by two upper-case hex digits there), so hashed and escaped ids cannot collide.
 */
public final class Ids {

  /** Pinecone's longest id, in ASCII characters. */
  public static final int MAX_PINECONE_ID = 512;

  /** Prefix of hashed ids. */
  public static final String HASHED_PREFIX = "%h";
  /** Reserved metadata key holding the caller's id of a hashed record. */
  public static final String ID_KEY = "__quiver_id";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Ids() {}

  /**
   * @param id a valid Quiver id
   * @return the Pinecone id: escaped, or hashed when the escaped form exceeds 512 characters
   */
  public static String encode(String id) {
    StringBuilder sb = null;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c > 0x20 && c < 0x7f && c != '%') {
        if (sb != null) {
          sb.append(c);
        }
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(id.length() + 16).append(id, 0, i);
      }
      int cp = id.codePointAt(i);
      if (Character.charCount(cp) == 2) {
        i++;
      }
      for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
        sb.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
    }
    String out = sb == null ? id : sb.toString();
    return out.length() <= MAX_PINECONE_ID ? out : HASHED_PREFIX + sha256(id);
  }

  /**
   * @param pineconeId an id as stored in Pinecone
   * @return whether it is a hashed id, whose caller id is in the metadata
   */
  public static boolean isHashed(String pineconeId) {
    return pineconeId.startsWith(HASHED_PREFIX);
  }

  /**
   * @param pineconeId an id as stored in Pinecone
   * @param metadata the record's Pinecone metadata (needed for hashed ids; may be missing otherwise)
   * @return the Quiver id
   */
  public static String decode(String pineconeId, com.fasterxml.jackson.databind.JsonNode metadata) {
    if (isHashed(pineconeId)) {
      String id = metadata == null ? null : metadata.path(ID_KEY).asText(null);
      return id != null ? id : pineconeId;
    }
    return decode(pineconeId);
  }

  private static String sha256(String id) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(64);
      for (byte b : d) {
        sb.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
      return sb.toString().toLowerCase(java.util.Locale.ROOT);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing", e);
    }
  }

  /**
   * @param pineconeId an escaped (not hashed) id as stored in Pinecone
   * @return the Quiver id
   */
  public static String decode(String pineconeId) {
    if (pineconeId.indexOf('%') < 0) {
      return pineconeId;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(pineconeId.length());
    for (int i = 0; i < pineconeId.length(); i++) {
      char c = pineconeId.charAt(i);
      if (c == '%' && i + 2 < pineconeId.length() && hex(pineconeId.charAt(i + 1)) >= 0
          && hex(pineconeId.charAt(i + 2)) >= 0) {
        out.write(hex(pineconeId.charAt(i + 1)) * 16 + hex(pineconeId.charAt(i + 2)));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
