package dev.quiver.bench;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * jvector's product quantisation as it is meant to be used: a graph built on the full vectors (max degree
 * 2·M, beam efConstruction, as {@link JVectorEngine}), searched with PQ scores ({@code pqM} subspaces,
 * {@code 2^pqBits} centroids each, at most 256) and re-ranked with exact scores. The sweep's knob is the
 * search beam (rerankK); the full vectors stay in memory for re-ranking, as in Quiver's IVF-PQ.
 */
final class JVectorPqEngine implements AnnEngine {

  private ListRandomAccessVectorValues ravv;
  private VectorSimilarityFunction vsf;
  private ImmutableGraphIndex graph;
  private PQVectors pqv;
  private VectorTypeSupport vts;
  private double trainSeconds;
  private final ThreadLocal<GraphSearcher> searchers = ThreadLocal.withInitial(() -> new GraphSearcher(graph));

  @Override
  public String name() {
    return "jvector-pq";
  }

  @Override
  public String notes() {
    return "graph + PQ " + pqv.getCompressor().getSubspaceCount() + "×" + pqv.getCompressor().getClusterCount()
        + " with exact re-ranking; knob = search beam; vectorization: "
        + VectorizationProvider.getInstance().getClass().getSimpleName();
  }

  @Override
  public double trainSeconds() {
    return trainSeconds;
  }

  @Override
  public long indexBytes() {
    return pqv.ramBytesUsed() + graph.ramBytesUsed();
  }

  @Override
  public void build(float[][] base, BuildParams p, Progress progress) throws Exception {
    vts = VectorizationProvider.getInstance().getVectorTypeSupport();
    vsf = switch (p.metric()) {
      case EUCLIDEAN -> VectorSimilarityFunction.EUCLIDEAN;
      case COSINE -> VectorSimilarityFunction.COSINE;
      case DOT_PRODUCT -> VectorSimilarityFunction.DOT_PRODUCT;
    };
    List<VectorFloat<?>> vs = new ArrayList<>(base.length);
    for (float[] v : base) {
      vs.add(vts.createFloatVector(v.clone()));
    }
    ravv = new ListRandomAccessVectorValues(vs, base[0].length);
    ForkJoinPool pool = new ForkJoinPool(Math.max(1, p.threads()));
    try {
      long t0 = System.nanoTime();
      ProductQuantization pq = ProductQuantization.compute(ravv, p.pqM(), Math.min(256, 1 << p.pqBits()),
          vsf == VectorSimilarityFunction.EUCLIDEAN, -1f /* unweighted */, pool, ForkJoinPool.commonPool());
      trainSeconds = (System.nanoTime() - t0) / 1e9;
      pqv = (PQVectors) pq.encodeAll(ravv, pool);
      GraphIndexBuilder b = new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(ravv, vsf),
          base[0].length, 2 * p.m(), p.efConstruction(), 1.2f, 1.2f, true, true, pool, ForkJoinPool.commonPool());
      int chunk = 2000;
      for (int from = 0; from < base.length; from += chunk) {
        int lo = from;
        int hi = Math.min(base.length, from + chunk);
        pool.submit(() -> java.util.stream.IntStream.range(lo, hi).parallel().forEach(i -> b.addGraphNode(i, ravv))).get();
        progress.set(hi);
      }
      b.cleanup();
      graph = b.getGraph();
    } finally {
      pool.shutdown();
    }
  }

  @Override
  public int[] search(float[] q, int k, int ef) {
    VectorFloat<?> qv = vts.createFloatVector(q);
    DefaultSearchScoreProvider ssp = new DefaultSearchScoreProvider(pqv.precomputedScoreFunctionFor(qv, vsf),
        ravv.rerankerFor(qv, vsf));
    SearchResult r = searchers.get().search(ssp, k, Math.max(k, ef), 0f, 0f, Bits.ALL);
    SearchResult.NodeScore[] ns = r.getNodes();
    int[] out = new int[Math.min(k, ns.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = ns[i].node;
    }
    return out;
  }
}
