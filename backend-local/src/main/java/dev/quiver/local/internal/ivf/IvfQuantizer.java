package dev.quiver.local.internal.ivf;

import dev.quiver.Metric;
import dev.quiver.local.internal.kernel.VectorKernel;
import java.util.stream.IntStream;

/**
 * The trained part of an IVF index: the coarse centroids and, for IVF-PQ, the product quantiser of
 * the residuals; immutable.
 *
 * <p><b>Metrics.</b> Under COSINE vectors and queries are normalised first, and everything below is
 * Euclidean on unit vectors. EUCLIDEAN (and COSINE) assign a vector to the centroid nearest in L2;
 * DOT_PRODUCT assigns it to the centroid of largest inner product, and probes lists in that order
 * (as FAISS's inner-product IVF does). The residual {@code x − c} is what PQ encodes.
 *
 * <p><b>Training</b> ({@link #train}) runs k-means++ and Lloyd iterations on the sample (parallel), then
 * one k-means per PQ subspace on the sample's residuals (subspaces in parallel). Its mean squared
 * quantisation error over the sample is kept, so the error of vectors encoded later can be compared
 * with it (drift).
 */
public final class IvfQuantizer {

  /** Lloyd iterations of the coarse k-means and of each subspace's k-means. */
  static final int COARSE_ITERATIONS = 10;
  static final int PQ_ITERATIONS = 10;

  final IvfParams params;
  final float[][] centroids;
  /** {@code ||c||²} of every centroid. */
  final float[] centroidNorms;
  /** Null for IVF-FLAT. */
  final PqCodebook pq;
  final double trainingError;
  final int trainingSamples;
  final long trainingNanos;

  IvfQuantizer(IvfParams params, float[][] centroids, PqCodebook pq, double trainingError, int trainingSamples,
      long trainingNanos) {
    if (centroids.length != params.nlist()) {
      throw new IllegalArgumentException(centroids.length + " centroids for nlist " + params.nlist());
    }
    this.params = params;
    this.centroids = centroids;
    this.pq = pq;
    this.trainingError = trainingError;
    this.trainingSamples = trainingSamples;
    this.trainingNanos = trainingNanos;
    this.centroidNorms = new float[centroids.length];
    for (int c = 0; c < centroids.length; c++) {
      if (centroids[c].length != params.dimension()) {
        throw new IllegalArgumentException("centroid " + c + " has " + centroids[c].length + " dimensions");
      }
      double s = 0;
      for (float x : centroids[c]) {
        s += (double) x * x;
      }
      centroidNorms[c] = (float) s;
    }
  }

  /**
   * Trains a quantiser on a sample.
   *
   * @param params what to train
   * @param sample the sample's vectors, as stored (not modified)
   * @param seed the seed
   * @param kernel distances
   * @return the trained quantiser
   */
  public static IvfQuantizer train(IvfParams params, float[][] sample, long seed, VectorKernel kernel) {
    long start = System.nanoTime();
    int n = sample.length;
    float[][] x = new float[n][];
    for (int i = 0; i < n; i++) {
      x[i] = prepare(params.metric(), sample[i]);
    }
    float[][] centroids = KMeans.train(x, params.nlist(), COARSE_ITERATIONS, seed, kernel, true);
    PqCodebook pq = null;
    if (params.quantized()) {
      IvfQuantizer coarse = new IvfQuantizer(params, centroids, null, 0, 0, 0);
      float[][] residuals = new float[n][];
      IntStream.range(0, n).parallel().forEach(i -> residuals[i] = coarse.residual(x[i], coarse.assign(x[i], kernel)));
      pq = PqCodebook.train(residuals, params.subspaces(), params.bits(), PQ_ITERATIONS, seed + 1, kernel);
    }
    IvfQuantizer q = new IvfQuantizer(params, centroids, pq, 0, 0, 0);
    double error = IntStream.range(0, n).parallel().mapToDouble(i -> q.encode(x[i], kernel).error()).sum();
    return new IvfQuantizer(params, centroids, pq, n == 0 ? 0 : error / n, n, System.nanoTime() - start);
  }

  /** @return the vector the index works on: a normalised copy under COSINE, else {@code v} itself */
  static float[] prepare(Metric metric, float[] v) {
    if (metric != Metric.COSINE) {
      return v;
    }
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    double inv = s > 0 ? 1.0 / Math.sqrt(s) : 0;
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * inv);
    }
    return out;
  }

  float[] prepare(float[] v) {
    return prepare(params.metric(), v);
  }

  /** @return the list of a prepared vector */
  int assign(float[] x, VectorKernel kernel) {
    if (params.metric() != Metric.DOT_PRODUCT) {
      return KMeans.nearest(x, centroids, kernel);
    }
    int best = 0;
    float bestDot = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < centroids.length; c++) {
      float dot = kernel.dot(x, centroids[c]);
      if (dot > bestDot) {
        bestDot = dot;
        best = c;
      }
    }
    return best;
  }

  float[] residual(float[] x, int list) {
    float[] c = centroids[list];
    float[] r = new float[x.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = x[i] - c[i];
    }
    return r;
  }

  /**
   * A vector as the index stores it.
   *
   * @param list its list
   * @param planes its PQ code planes (empty for IVF-FLAT)
   * @param extra for IVF-PQ under EUCLIDEAN {@code ||r̂||² + 2<c, r̂>} (what the distance to the
   *     reconstruction adds to the distance to the centroid beyond the table sum); 0 otherwise
   * @param error squared quantisation error: to the reconstruction (PQ) or to the centroid (FLAT)
   */
  record Encoded(int list, byte[] planes, float extra, double error) {}

  /** Encodes a prepared vector. */
  Encoded encode(float[] x, VectorKernel kernel) {
    int list = assign(x, kernel);
    float[] c = centroids[list];
    if (pq == null) {
      double e = 0;
      for (int i = 0; i < x.length; i++) {
        double t = (double) x[i] - c[i];
        e += t * t;
      }
      return new Encoded(list, new byte[0], 0f, e);
    }
    float[] r = residual(x, list);
    byte[] planes = new byte[pq.planes];
    float[] decoded = new float[x.length];
    double error = pq.encode(r, planes, decoded);
    float extra = 0f;
    if (params.metric() == Metric.EUCLIDEAN) {
      double e = 0;
      for (int i = 0; i < decoded.length; i++) {
        e += (double) decoded[i] * decoded[i] + 2.0 * c[i] * decoded[i];
      }
      extra = (float) e;
    }
    return new Encoded(list, planes, extra, error);
  }

  /** @return the parameters */
  public IvfParams params() {
    return params;
  }
}
