package dev.quiver.qdrant.internal;

import dev.quiver.InvalidArgumentException;
import io.qdrant.client.grpc.Common.PointId;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.UUID;

/**
 * Maps Quiver record ids (any string of up to 512 UTF-8 bytes) to Qdrant point ids (a UUID):
 * an RFC 4122 version-5 (SHA-1) UUID of the id's UTF-8 bytes in a fixed Quiver namespace. The
 * mapping is deterministic, so upserting the same id twice replaces the point; the caller's id is
 * kept in the payload under {@link Payloads#ID} and always given back.
 */
public final class PointIds {

  /** The namespace: {@code uuid5(NAMESPACE_URL, "urn:dev.quiver:qdrant:point-id")}. Never change it. */
  public static final UUID NAMESPACE = UUID.fromString("522120db-e3f8-55af-8369-077d3423de2c");

  private PointIds() {}

  /**
   * @param id a Quiver record id
   * @return the UUID the point is stored under
   */
  public static UUID uuid(String id) {
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
    ByteBuffer ns = ByteBuffer.allocate(16);
    ns.putLong(NAMESPACE.getMostSignificantBits()).putLong(NAMESPACE.getLeastSignificantBits());
    sha1.update(ns.array());
    sha1.update(utf8(id));
    byte[] h = sha1.digest();
    h[6] = (byte) ((h[6] & 0x0f) | 0x50);
    h[8] = (byte) ((h[8] & 0x3f) | 0x80);
    ByteBuffer bb = ByteBuffer.wrap(h, 0, 16);
    return new UUID(bb.getLong(), bb.getLong());
  }

  /**
   * Strict UTF-8: {@code String.getBytes} would turn an unpaired surrogate into '?', mapping two ids
   * onto one point. The boundary refuses such ids; this refuses them again rather than hash a guess.
   */
  private static byte[] utf8(String id) {
    try {
      ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(id));
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw new InvalidArgumentException("record id is not well-formed Unicode (an unpaired surrogate)");
    }
  }

  /**
   * @param id a Quiver record id
   * @return the Qdrant point id
   */
  public static PointId pointId(String id) {
    return PointId.newBuilder().setUuid(uuid(id).toString()).build();
  }

  /**
   * @param p a point id from the server
   * @return its text: the lower-case UUID, or the number
   */
  public static String text(PointId p) {
    return p.hasUuid() ? p.getUuid().toLowerCase(Locale.ROOT) : Long.toUnsignedString(p.getNum());
  }
}
