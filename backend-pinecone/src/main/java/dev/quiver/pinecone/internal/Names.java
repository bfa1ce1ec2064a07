package dev.quiver.pinecone.internal;

import dev.quiver.CollectionSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Collection names to Pinecone index names, deterministically and without collisions.
 *
 * <ul>
 *   <li><b>Direct</b>: a Quiver name that is already a valid Pinecone index name (lower-case letters,
 *       digits and '-', at most 45 characters, not ending in '-') and has no "--" is used unchanged.</li>
 *   <li><b>Escaped</b>: any other Quiver name (upper case, '_', "--", longer than 45) becomes
 *       {@code <readable>--<12 hex of SHA-256(name)>}: the readable part is the name lower-cased with
 *       every other character turned into '-', shortened to 31 characters. Escaped names always contain
 *       "--" and direct names never do, so the two kinds cannot collide; two escaped names collide only
 *       if their hashes agree in 48 bits, and even that is caught: the original name is kept in the
 *       index's tags ({@value #NAME_TAG}, split over several tags past 120 characters), and an index whose
 *       tag names another collection is treated as not this one.</li>
 * </ul>
 */
public final class Names {

  /** Pinecone's longest index name. */
  public static final int MAX_INDEX_NAME = 45;
  /** Tag that keeps the Quiver name of an escaped collection. */
  public static final String NAME_TAG = "quiver_name";

  private static final int TAG_VALUE_MAX = 120;
  private static final int HASH_HEX = 12;
  private static final Pattern PINECONE = Pattern.compile("[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?");

  private Names() {}

  /**
   * @param collection a collection name
   * @return the index name
   * @throws dev.quiver.InvalidArgumentException if it is not a valid Quiver name
   */
  public static String indexName(String collection) {
    CollectionSpec.checkName(collection);
    if (isDirect(collection)) {
      return collection;
    }
    String readable = collection.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    int max = MAX_INDEX_NAME - 2 - HASH_HEX;
    if (readable.length() > max) {
      readable = readable.substring(0, max);
    }
    readable = readable.replaceAll("-+$", "");
    return readable + "--" + hash(collection);
  }

  /**
   * @param name a string
   * @return whether it is a valid Pinecone index name (whatever Quiver would map it to)
   */
  public static boolean isIndexName(String name) {
    return PINECONE.matcher(name).matches();
  }

  private static boolean isDirect(String name) {
    return PINECONE.matcher(name).matches() && !name.contains("--");
  }

  /**
   * @param collection a collection name
   * @return the tags that record it on its index (empty for direct names)
   */
  public static Map<String, String> tags(String collection) {
    Map<String, String> out = new LinkedHashMap<>();
    if (isDirect(collection)) {
      return out;
    }
    for (int i = 0, part = 1; i < collection.length(); i += TAG_VALUE_MAX, part++) {
      out.put(part == 1 ? NAME_TAG : NAME_TAG + part, collection.substring(i, Math.min(collection.length(),
          i + TAG_VALUE_MAX)));
    }
    return out;
  }

  /**
   * @param indexName an index name
   * @param tags its tags
   * @return the collection it holds, or empty when it is not one Quiver can name
   */
  public static Optional<String> collectionName(String indexName, Map<String, String> tags) {
    String tagged = tags.get(NAME_TAG);
    if (tagged != null) {
      StringBuilder sb = new StringBuilder(tagged);
      for (int part = 2; tags.containsKey(NAME_TAG + part); part++) {
        sb.append(tags.get(NAME_TAG + part));
      }
      String name = sb.toString();
      try {
        return indexName(name).equals(indexName) ? Optional.of(name) : Optional.empty();
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
    if (isDirect(indexName) && Character.isLetter(indexName.charAt(0))) {
      return Optional.of(indexName);
    }
    return Optional.empty();
  }

  private static String hash(String name) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < HASH_HEX / 2; i++) {
        sb.append(String.format("%02x", d[i] & 0xff));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing", e);
    }
  }
}
