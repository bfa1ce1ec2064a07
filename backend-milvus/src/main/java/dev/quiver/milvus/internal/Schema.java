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
  /** Milvus's default limit on collection names. */
  public static final int MAX_NAME_LENGTH = 255;
  /** Real Milvus caps topK (and offset + limit of queries) at 16384. */
  public static final int MAX_TOP_K = 16_384;

  private Schema() {}
}
