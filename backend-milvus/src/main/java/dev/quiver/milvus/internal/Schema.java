package dev.quiver.milvus.internal;

/** Field names and limits of the Milvus collections Quiver creates. */
public final class Schema {

  /** VARCHAR primary key holding the caller's id (auto-id off). */
  public static final String ID = "id";
  /** FLOAT_VECTOR field. */
  public static final String VECTOR = "vec";
  /** JSON field holding the metadata object. */
  public static final String META = "meta";
  /** JSON field holding the type tag of every metadata key (see {@link MetadataCodec}). */
  public static final String TYPES = "qtypes";
  /** Max length of the id field: Quiver ids are at most 512 UTF-8 bytes. */
  public static final int ID_MAX_LENGTH = 512;
  /**
   * Max length of the id field of a multi-tenant collection: {@code tenant/id}, tenants being at most
   * 64 ASCII characters.
   */
  public static final int TENANT_ID_MAX_LENGTH = ID_MAX_LENGTH + 65;
  /** VARCHAR field of a multi-tenant collection holding the tenant (a partition key where the server allows). */
  public static final String TENANT = "__tenant";
  /** Max length of {@value #TENANT}: tenant names are at most 64 ASCII characters. */
  public static final int TENANT_MAX_LENGTH = 64;
  /** Between tenant and id in the primary key of a multi-tenant collection (tenant names cannot hold it). */
  public static final char TENANT_SEPARATOR = '/';
  /**
   * ARRAY&lt;VARCHAR&gt; field listing the declared keys a record lacks, where declared fields are not
   * nullable (real Milvus): the typed field then holds a placeholder.
   */
  public static final String ABSENT = "__absent";
  /** Max length (UTF-8 bytes) of a declared STRING field's values: Milvus's largest VARCHAR. */
  public static final int STRING_MAX_LENGTH = 65_535;
  /** Max elements of a declared STRING_LIST field (Milvus's largest ARRAY capacity). */
  public static final int LIST_MAX_CAPACITY = 4_096;
  /** Max length (UTF-8 bytes) of one element of a declared STRING_LIST field. */
  public static final int LIST_ELEMENT_MAX_LENGTH = 65_535;
  /** Prefix of the Milvus field of a declared key that cannot be a field name as is ({@code id}, {@code like}, ...). */
  public static final String ESCAPED_FIELD_PREFIX = "__k_";
  /** Milvus's default limit on collection names. */
  public static final int MAX_NAME_LENGTH = 255;
  /** Real Milvus caps topK (and offset + limit of queries) at 16384. */
  public static final int MAX_TOP_K = 16_384;

  /** Names a declared key's field may not have: Quiver's own fields, and words of Milvus's expression grammar. */
  private static final java.util.Set<String> NOT_A_FIELD_NAME = java.util.Set.of(ID, VECTOR, META, TYPES, "like", "is",
      "null", "exists", "in", "not", "and", "or", "true", "false", "json_contains", "json_contains_all",
      "json_contains_any", "array_contains", "array_contains_all", "array_contains_any", "array_length", "text_match",
      "phrase_match", "random_sample", "is_null", "is_not_null");

  private Schema() {}

  /**
   * The Milvus field of a declared metadata key: the key itself, or {@value #ESCAPED_FIELD_PREFIX} + the key
   * when the key names one of Quiver's fields or a word of Milvus's expressions (case-insensitively).
   * Metadata keys never start with {@code __}, so an escaped name never meets another key's field or
   * {@value #TENANT} / {@value #ABSENT}.
   *
   * @param key a declared metadata key
   * @return its field name
   */
  public static String fieldOf(String key) {
    return NOT_A_FIELD_NAME.contains(key.toLowerCase(java.util.Locale.ROOT)) ? ESCAPED_FIELD_PREFIX + key : key;
  }
}
