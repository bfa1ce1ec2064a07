package dev.quiver.pinecone.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.InvalidArgumentException;
import dev.quiver.MetadataField;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How one collection's records sit in Pinecone: the layout Quiver writes into the indexes it creates
 * (escaped ids, number tags for undeclared numeric keys, declared fields as plain typed values), or a
 * <b>foreign</b> index's own layout (ids and metadata exactly as they are; nothing reserved is added).
 * See docs/backends/pinecone.md.
 */
public final class Layout {

  /** Pinecone's longest record id. */
  public static final int MAX_ID = 512;

  private final boolean foreign;
  private final Map<String, FieldType> declared;

  private Layout(boolean foreign, Map<String, FieldType> declared) {
    this.foreign = foreign;
    this.declared = declared;
  }

  /**
   * @param spec a collection Quiver created
   * @return its layout, with its declared fields
   */
  public static Layout quiver(CollectionSpec spec) {
    Map<String, FieldType> d = new LinkedHashMap<>();
    for (MetadataField f : spec.fields()) {
      d.put(f.name(), f.type());
    }
    return new Layout(false, Map.copyOf(d));
  }

  /** @return the layout of an index Quiver did not create */
  public static Layout foreign() {
    return new Layout(true, Map.of());
  }

  /** @return whether this is an index Quiver did not create */
  public boolean isForeign() {
    return foreign;
  }

  /**
   * @param key a metadata key
   * @return its declared type, if declared
   */
  public Optional<FieldType> declared(String key) {
    return Optional.ofNullable(declared.get(key));
  }

  /**
   * @param id a valid Quiver id
   * @return the Pinecone id
   * @throws InvalidArgumentException on a foreign index, for an id its key cannot hold
   */
  public String encodeId(String id) {
    if (!foreign) {
      return Ids.encode(id);
    }
    checkForeignId(id);
    return id;
  }

  /**
   * Pinecone ids are 1..512 ASCII characters without {@code \0}; an id with a space or a control
   * character could be written but not fetched back ({@code vectors/fetch} rejects it), so those are
   * refused too. Quiver's own indexes escape such ids instead ({@link Ids}); a foreign index keeps
   * ids as they are, so an id it cannot hold is an error before anything is written.
   */
  private static void checkForeignId(String id) {
    if (id.length() > MAX_ID) {
      throw new InvalidArgumentException("id '" + id.substring(0, 40) + "...' is " + id.length() + " characters; this"
          + " Pinecone index was not created by Quiver and keeps ids as they are, at most " + MAX_ID + " ASCII characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new InvalidArgumentException("id '" + id + "' has " + (c > 0x7f ? "a non-ASCII character"
            : c == ' ' ? "a space" : "a control character") + " at position " + (i + 1) + "; this Pinecone index was"
            + " not created by Quiver and keeps ids as they are: printable ASCII without spaces (Pinecone's fetch"
            + " cannot read others back)");
      }
    }
  }

  /**
   * @param pineconeId an id as stored
   * @param metadata its Pinecone metadata, if at hand (needed for Quiver's hashed ids)
   * @return the Quiver id
   */
  public String decodeId(String pineconeId, JsonNode metadata) {
    return foreign ? pineconeId : Ids.decode(pineconeId, metadata);
  }

  /**
   * @param pineconeId an id as stored
   * @return whether the caller's id lives in the metadata (Quiver's hashed ids)
   */
  public boolean isHashed(String pineconeId) {
    return !foreign && Ids.isHashed(pineconeId);
  }
}
