package dev.quiver;

import java.util.Objects;
import java.util.Optional;

/**
 * One search result. {@code score} is higher-is-better and {@code distance} lower-is-better, with the
 * same values on every backend (see {@link Metric}).
 */
public final class Match {

  private final String id;
  private final double score;
  private final double distance;
  private final float[] vector;
  private final Metadata metadata;

  /**
   * @param id the record's id
   * @param score the score under the collection's metric
   * @param distance the distance under the collection's metric
   * @param vector the stored vector, or {@code null} when not requested
   * @param metadata the metadata ({@link Metadata#empty()} when not requested)
   */
  public Match(String id, double score, double distance, float[] vector, Metadata metadata) {
    this.id = Objects.requireNonNull(id, "id");
    this.score = score;
    this.distance = distance;
    this.vector = vector == null ? null : vector.clone();
    this.metadata = Objects.requireNonNull(metadata, "metadata");
  }

  /** @return the record's id */
  public String id() {
    return id;
  }

  /** @return higher-is-better similarity */
  public double score() {
    return score;
  }

  /** @return lower-is-better distance */
  public double distance() {
    return distance;
  }

  /** @return a copy of the stored vector, when {@link SearchRequest#includeVectors(boolean)} asked for it */
  public Optional<float[]> vector() {
    return Optional.ofNullable(vector).map(float[]::clone);
  }

  /** @return the metadata; empty when {@link SearchRequest#includeMetadata(boolean)} was false */
  public Metadata metadata() {
    return metadata;
  }

  @Override
  public String toString() {
    return "Match[" + id + ", score=" + score + ", distance=" + distance + ", " + metadata + "]";
  }
}
