package dev.quiver.migrate;

/** A reason a record cannot be written to the target as it is. The plan counts records per issue. */
public enum Issue {
  /** The vector's length is not the target's dimension (after transforms). */
  DIMENSION_MISMATCH("vector length differs from the target's dimension",
      "a transform that produces vectors of the target's dimension (Java hook), or --skip-incompatible"),
  /** An all-zero vector, which the target refuses (Pinecone always; every backend under COSINE). */
  ZERO_VECTOR("all-zero vector, which the target refuses", "--skip-incompatible"),
  /** A metadata long beyond ±2^53 on a target that keeps numbers as float64 (no {@code EXACT_LONGS}). */
  INEXACT_LONG("metadata long beyond ±2^53 (the target keeps numbers as float64)",
      "--inexact-longs string|double|drop-key, or --skip-incompatible"),
  /** Metadata larger, as the target encodes it, than the target allows per record. */
  METADATA_TOO_LARGE("metadata larger than the target allows per record",
      "--drop-key KEY for the large keys, or --skip-incompatible"),
  /** A metadata key in the reserved {@code __} namespace. */
  RESERVED_KEY("metadata key starting with '__', which adapters reserve", "--rename-key OLD=NEW or --drop-key KEY"),
  /** A transform refused the record ({@link TransformException}). */
  TRANSFORM_REJECTED("a transform refused the record", "change the transform, or --skip-incompatible");

  private final String description;
  private final String remedy;

  Issue(String description, String remedy) {
    this.description = description;
    this.remedy = remedy;
  }

  /** @return what the issue means */
  public String description() {
    return description;
  }

  /** @return the transforms or options that resolve it */
  public String remedy() {
    return remedy;
  }
}
