package dev.quiver.conformance;

import dev.quiver.Metadata;
import dev.quiver.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random records for property tests: Gaussian vectors (never the zero vector, so every metric
 * accepts them) and metadata where each field of the {@link ValuePool} is missing at random and
 * otherwise holds a string, long, double, boolean or list of strings at random. Deterministic for
 * a given seed, so a failure can be replayed. With {@link ValuePool#standard()} the doubles include
 * the {@link ValuePool#ROUND_TRIP_DOUBLES}, so stored records carry values that an engine's own
 * float formatting would move by one ulp, and the generated filters compare against them.
 */
public final class DatasetGenerator {

  private final Random random;
  private final ValuePool pool;

  /**
   * @param seed the seed; the same seed gives the same records
   * @param pool fields and values to draw from
   */
  public DatasetGenerator(long seed, ValuePool pool) {
    this.random = new Random(seed);
    this.pool = pool;
  }

  /**
   * @param dimension the vector length
   * @return a random finite, non-zero vector with Gaussian components
   */
  public float[] vector(int dimension) {
    return vector(random, dimension);
  }

  /**
   * @param random the source of randomness
   * @param dimension the vector length
   * @return a random finite, non-zero vector with Gaussian components
   */
  public static float[] vector(Random random, int dimension) {
    float[] v = new float[dimension];
    boolean nonZero = false;
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
      nonZero |= v[i] != 0f;
    }
    if (!nonZero) {
      v[0] = 1f; // a zero vector would be rejected under COSINE
    }
    return v;
  }

  /**
   * Metadata where each field is missing with probability 0.3 and otherwise has a random type.
   *
   * @return the metadata
   */
  public Metadata metadata() {
    Metadata.Builder b = Metadata.builder();
    for (String field : pool.fields()) {
      if (random.nextDouble() < 0.3) {
        continue;
      }
      b.put(field, value());
    }
    return b.build();
  }

  /** @return a value of a random type from the pool */
  public Object value() {
    return switch (random.nextInt(6)) {
      case 0, 1 -> pick(pool.strings());
      case 2 -> pick(pool.longs());
      case 3 -> pick(pool.doubles());
      case 4 -> random.nextBoolean();
      default -> {
        int n = random.nextInt(4); // 0..3 elements; an empty list is a value, not a missing key
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          list.add(pick(pool.strings()));
        }
        yield list;
      }
    };
  }

  /**
   * @param idPrefix prefix of the ids, which are {@code idPrefix + index} (zero-padded to 4 digits)
   * @param count how many records
   * @param dimension vector length
   * @return the records
   */
  public List<Record> records(String idPrefix, int count, int dimension) {
    List<Record> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(Record.of(String.format("%s%04d", idPrefix, i), vector(dimension), metadata()));
    }
    return out;
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
