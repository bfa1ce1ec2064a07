package dev.quiver;

/**
 * How vectors are compared. Every backend reports the same {@code score} (higher is better) and
 * {@code distance} (lower is better) for the same vectors:
 *
 * <table>
 *   <caption>score and distance per metric</caption>
 *   <tr><th>metric</th><th>score</th><th>distance</th></tr>
 *   <tr><td>COSINE</td><td>cosine similarity</td><td>1 − cosine</td></tr>
 *   <tr><td>DOT_PRODUCT</td><td>a·b</td><td>−(a·b)</td></tr>
 *   <tr><td>EUCLIDEAN</td><td>1 / (1 + L2)</td><td>L2 (not squared)</td></tr>
 * </table>
 *
 * <p>The methods here are the reference formulas; they compute in double precision.
 */
public enum Metric {
  /** Cosine similarity; zero vectors are rejected. */
  COSINE {
    @Override
    public double distance(float[] a, float[] b) {
      return 1.0 - cosine(a, b);
    }

    @Override
    public double scoreFromDistance(double distance) {
      return 1.0 - distance;
    }

    @Override
    public double distanceFromScore(double score) {
      return 1.0 - score;
    }
  },
  /** Inner product. */
  DOT_PRODUCT {
    @Override
    public double distance(float[] a, float[] b) {
      return -dot(a, b);
    }

    @Override
    public double scoreFromDistance(double distance) {
      return -distance;
    }

    @Override
    public double distanceFromScore(double score) {
      return -score;
    }
  },
  /** Euclidean (L2) distance. */
  EUCLIDEAN {
    @Override
    public double distance(float[] a, float[] b) {
      double sum = 0;
      for (int i = 0; i < a.length; i++) {
        double d = (double) a[i] - b[i];
        sum += d * d;
      }
      return Math.sqrt(sum);
    }

    @Override
    public double scoreFromDistance(double distance) {
      return 1.0 / (1.0 + distance);
    }

    @Override
    public double distanceFromScore(double score) {
      return 1.0 / score - 1.0;
    }
  };

  /**
   * @param a a vector
   * @param b a vector of the same length
   * @return the distance between them under this metric (lower is closer)
   */
  public abstract double distance(float[] a, float[] b);

  /**
   * @param a a vector
   * @param b a vector of the same length
   * @return the score of {@code b} for query {@code a} under this metric (higher is closer)
   */
  public double score(float[] a, float[] b) {
    return scoreFromDistance(distance(a, b));
  }

  /**
   * @param distance a distance under this metric
   * @return the matching score
   */
  public abstract double scoreFromDistance(double distance);

  /**
   * @param score a score under this metric
   * @return the matching distance
   */
  public abstract double distanceFromScore(double score);

  static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / (Math.sqrt(na) * Math.sqrt(nb));
  }
}
