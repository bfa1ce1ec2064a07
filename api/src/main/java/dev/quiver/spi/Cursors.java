package dev.quiver.spi;

import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

/**
 * The list cursors callers see. A backend's own cursor is wrapped with the collection it belongs
 * to, the filter it was made for and a digest, so that a garbled, truncated or foreign cursor is
 * refused with an {@link InvalidArgumentException} instead of silently ending or restarting a scroll.
 * The digest detects damage and misuse; it is not a secret key (a cursor grants nothing the caller
 * cannot already read), so cursors stay valid across processes, which a resumed migration needs.
 */
final class Cursors {

  private static final String PREFIX = "qc1.";

  private Cursors() {}

  static String wrap(String collection, Optional<Filter> filter, String backendCursor) {
    byte[] payload = payload(collection, filter, backendCursor);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(payload) + "." + digest(payload);
  }

  static String unwrap(String collection, Optional<Filter> filter, String cursor) {
    if (!cursor.startsWith(PREFIX) || cursor.indexOf('.', PREFIX.length()) < 0) {
      throw bad(collection, "it is not a Quiver list cursor");
    }
    int dot = cursor.lastIndexOf('.');
    byte[] payload;
    try {
      payload = Base64.getUrlDecoder().decode(cursor.substring(PREFIX.length(), dot));
    } catch (IllegalArgumentException e) {
      throw bad(collection, "it is damaged");
    }
    if (!digest(payload).equals(cursor.substring(dot + 1))) {
      throw bad(collection, "it is damaged");
    }
    String text = new String(payload, StandardCharsets.UTF_8);
    String[] parts = text.split("\n", 3);
    if (parts.length != 3) {
      throw bad(collection, "it is damaged");
    }
    if (!parts[0].equals(collection)) {
      throw bad(collection, "it was made by collection '" + parts[0] + "'");
    }
    if (!parts[1].equals(filterText(filter))) {
      throw bad(collection, "it was made for another filter");
    }
    return parts[2];
  }

  private static InvalidArgumentException bad(String collection, String why) {
    return new InvalidArgumentException("list cursor refused by collection '" + collection + "': " + why
        + "; pass the nextCursor of the previous page of the same list request, or null to start");
  }

  private static byte[] payload(String collection, Optional<Filter> filter, String backendCursor) {
    return (collection + "\n" + filterText(filter) + "\n" + backendCursor).getBytes(StandardCharsets.UTF_8);
  }

  private static String filterText(Optional<Filter> filter) {
    // the canonical text form, hashed so that a long filter does not make a long cursor
    return filter.map(f -> digest(f.toString().getBytes(StandardCharsets.UTF_8))).orElse("-");
  }

  private static String digest(byte[] bytes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        sb.append(String.format("%02x", d[i]));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
