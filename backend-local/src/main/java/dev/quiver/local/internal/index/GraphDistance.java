package dev.quiver.local.internal.index;

import dev.quiver.Metric;
import dev.quiver.local.internal.kernel.VectorKernel;

/**
 * The float distances an HNSW graph is traversed with, monotone in the metric's distance: squared L2
 * for EUCLIDEAN, {@code -dot} for DOT_PRODUCT and {@code 1 - cos} for COSINE (with the inverse norms
 * precomputed per node). Callers recompute exact double scores for what they return.
 */
final class GraphDistance {

  final Metric metric;
  final VectorKernel kernel;

  GraphDistance(Metric metric, VectorKernel kernel) {
    this.metric = metric;
    this.kernel = kernel;
  }

  /** @return what {@link #distance(float[], float, HnswNode)} needs with {@code v}: its inverse norm under COSINE, else 1 */
  float invNorm(float[] v) {
    if (metric != Metric.COSINE) {
      return 1f;
    }
    float sq = kernel.dot(v, v);
    return sq > 0 ? (float) (1.0 / Math.sqrt(sq)) : 0f;
  }

  float distance(float[] q, float qInv, HnswNode n) {
    return switch (metric) {
      case EUCLIDEAN -> kernel.squaredL2(q, n.vector);
      case DOT_PRODUCT -> -kernel.dot(q, n.vector);
      case COSINE -> 1f - kernel.dot(q, n.vector) * qInv * n.invNorm;
    };
  }

  float distance(HnswNode a, HnswNode b) {
    return distance(a.vector, a.invNorm, b);
  }
}
