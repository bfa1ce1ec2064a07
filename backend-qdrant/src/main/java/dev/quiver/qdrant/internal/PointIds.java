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
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Maps Quiver record ids (any string of up to 512 UTF-8 bytes) to Qdrant point ids (a UUID):
 * an RFC 4122 version-5 (SHA-1) UUID of the id's UTF-8 bytes in a fixed Quiver namespace. The
 * mapping is deterministic, so upserting the same id twice replaces the point; the caller's id is
 * kept in the payload under {@link Payloads#ID} and always given back.
 */
public final class PointIds {

  /** The namespace: {@code uuid5(NAMESPACE_URL, "urn:dev.quiver:qdrant:point-id")}. Never change it. */
  public static final UUID NAMESPACE = UUID.fromString("522120db-e3f8-55af-8369-077d3423de2c");

  private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,19}");
  private static final Pattern CANONICAL_UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private PointIds() {}

  /**
   * @param id a Quiver record id
   * @return the UUID the point is stored under
   */
  public static UUID uuid(String id) {
    return uuid(null, id);
  }

  /**
   * @param tenant the record's tenant, or {@code null} in a collection without tenants
   * @param id a Quiver record id
   * @return the UUID the point is stored under: of {@code tenant + NUL + id} in a tenant (a tenant name
   *     holds no NUL, so two (tenant, id) pairs never share the hashed bytes), of {@code id} alone otherwise
   */
  public static UUID uuid(String tenant, String id) {
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
    ByteBuffer ns = ByteBuffer.allocate(16);
    ns.putLong(NAMESPACE.getMostSignificantBits()).putLong(NAMESPACE.getLeastSignificantBits());
    sha1.update(ns.array());
    if (tenant != null) {
      sha1.update(utf8(tenant));
      sha1.update((byte) 0);
    }
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
   * @param tenant the tenant, or {@code null}
   * @param id a Quiver record id
   * @return the Qdrant point id of the record in that tenant
   */
  public static PointId pointId(String tenant, String id) {
    return PointId.newBuilder().setUuid(uuid(tenant, id).toString()).build();
  }

  /**
   * The point id a foreign collection's record id names: an unsigned 64-bit integer in decimal (no sign,
   * no leading zeros) or a UUID in canonical lower-case form; other spellings would read back as
   * another string, so they name no point.
   *
   * @param id a record id as Quiver exposes it
   * @return the point id, or empty if no point can have this id
   */
  public static Optional<PointId> nativeId(String id) {
    if (DECIMAL.matcher(id).matches()) {
      try {
        return Optional.of(PointId.newBuilder().setNum(Long.parseUnsignedLong(id)).build());
      } catch (NumberFormatException e) {
        return Optional.empty();  // beyond 2^64 - 1
      }
    }
    if (CANONICAL_UUID.matcher(id).matches()) {
      return Optional.of(PointId.newBuilder().setUuid(id).build());
    }
    return Optional.empty();
  }

  /**
   * @param id a record id to write to a foreign collection
   * @param collection for the message
   * @return its point id
   * @throws InvalidArgumentException if the id is neither a decimal u64 nor a canonical UUID
   */
  public static PointId requireNativeId(String id, String collection) {
    return nativeId(id).orElseThrow(() -> {
      String hint = "";
      try {
        UUID u = UUID.fromString(id);
        hint = " (write it as '" + u + "')";
      } catch (IllegalArgumentException e) {
        if (id.matches("[+]?[0-9]+")) {
          hint = " (write it without sign or leading zeros, at most " + Long.toUnsignedString(-1L) + ")";
        }
      }
      String shown = id.length() > 80 ? id.substring(0, 80) + "..." : id;
      return new InvalidArgumentException("record id '" + shown + "' cannot be a point id of collection '" + collection
          + "': its Qdrant point ids are unsigned integers (decimal) or UUIDs (canonical lower-case)" + hint);
    });
  }

  /**
   * @param text a point id's text, as {@link #text} writes it
   * @return the point id, or empty if the text is not one
   */
  public static Optional<PointId> parse(String text) {
    return nativeId(text);
  }

  /**
   * @param p a point id from the server
   * @return its text: the lower-case UUID, or the number
   */
  public static String text(PointId p) {
    return p.hasUuid() ? p.getUuid().toLowerCase(Locale.ROOT) : Long.toUnsignedString(p.getNum());
  }
}
