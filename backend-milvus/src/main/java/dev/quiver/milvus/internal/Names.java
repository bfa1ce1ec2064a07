package dev.quiver.milvus.internal;

import dev.quiver.CollectionSpec;
import dev.quiver.InvalidArgumentException;
import java.util.Optional;

/**
 * Quiver collection names ({@code [A-Za-z][A-Za-z0-9_-]{0,254}}) to Milvus names
 * ({@code [A-Za-z_][A-Za-z0-9_]*}, at most 255 characters) and back.
 *
 * <p>A name without {@code -} is used as is. A name with {@code -} becomes {@code _} followed by the
 * name with {@code _} written {@code _0} and {@code -} written {@code _1}: {@code my-docs} is
 * {@code _my_1docs}, {@code a_b-c} is {@code _a_0b_1c}. Plain names start with a letter and encoded
 * names with {@code _}, and the escapes are a prefix code, so the mapping is reversible and no two
 * Quiver names share a Milvus name. An encoded name longer than 255 characters is rejected.
 */
public final class Names {

  private Names() {}

  /**
   * @param quiverName a valid Quiver name
   * @return the Milvus collection name
   * @throws InvalidArgumentException if the name is invalid or its encoding exceeds 255 characters
   */
  public static String toMilvus(String quiverName) {
    CollectionSpec.checkName(quiverName);
    if (quiverName.indexOf('-') < 0) {
      return quiverName;
    }
    StringBuilder sb = new StringBuilder("_");
    for (int i = 0; i < quiverName.length(); i++) {
      char c = quiverName.charAt(i);
      switch (c) {
        case '_' -> sb.append("_0");
        case '-' -> sb.append("_1");
        default -> sb.append(c);
      }
    }
    if (sb.length() > Schema.MAX_NAME_LENGTH) {
      throw new InvalidArgumentException("collection name '" + quiverName + "' is too long for Milvus: names with '-' are"
          + " encoded ('-' as '_1', '_' as '_0', plus a leading '_') and the encoding has " + sb.length()
          + " characters; Milvus allows " + Schema.MAX_NAME_LENGTH);
    }
    return sb.toString();
  }

  /**
   * @param milvusName a Milvus collection name
   * @return the Quiver name it encodes, or empty when it is not one {@link #toMilvus} produces
   */
  public static Optional<String> fromMilvus(String milvusName) {
    if (milvusName == null || milvusName.isEmpty()) {
      return Optional.empty();
    }
    String out;
    if (milvusName.charAt(0) != '_') {
      out = milvusName;
    } else {
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i < milvusName.length(); i++) {
        char c = milvusName.charAt(i);
        if (c != '_') {
          sb.append(c);
        } else if (i + 1 < milvusName.length() && milvusName.charAt(i + 1) == '0') {
          sb.append('_');
          i++;
        } else if (i + 1 < milvusName.length() && milvusName.charAt(i + 1) == '1') {
          sb.append('-');
          i++;
        } else {
          return Optional.empty();
        }
      }
      out = sb.toString();
      if (out.indexOf('-') < 0) {
        return Optional.empty();
      }
    }
    try {
      CollectionSpec.checkName(out);
    } catch (InvalidArgumentException e) {
      return Optional.empty();
    }
    return toMilvus(out).equals(milvusName) ? Optional.of(out) : Optional.empty();
  }
}
