package dev.quiver.bench;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.util.ArrayList;
import java.util.List;

/**
 * jvector (io.github.jbellis:jvector), in-memory graph with hierarchy, exact scores. Its max degree is
 * set to 2·M (what HNSW allows on layer 0) and its beam width to efConstruction; search-time ef maps to
 * rerankK, the size of the beam.
 */
final class JVectorEngine implements AnnEngine {

  private ListRandomAccessVectorValues ravv;
  private VectorSimilarityFunction vsf;
  private ImmutableGraphIndex graph;
  private VectorTypeSupport vts;
  private final ThreadLocal<GraphSearcher> searchers = ThreadLocal.withInitial(() -> new GraphSearcher(graph));

  @Override
  public String name() {
    return "jvector";
  }

  @Override
  public String notes() {
    return "vectorization: " + VectorizationProvider.getInstance().getClass().getSimpleName();
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
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(Math.max(1, p.threads()));
    try {
      GraphIndexBuilder b = new GraphIndexBuilder(
        io.github.jbellis.jvector.graph.similarity.BuildScoreProvider.randomAccessScoreProvider(ravv, vsf),
        base[0].length, 2 * p.m(), p.efConstruction(), 1.2f, 1.2f, true, true, pool,
        java.util.concurrent.ForkJoinPool.commonPool());
      // add in chunks so progress can be shown
      int chunk = 2000;
      for (int from = 0; from < base.length; from += chunk) {
        int lo = from;
        int hi = Math.min(base.length, from + chunk);
        pool.submit(() -> java.util.stream.IntStream.range(lo, hi).parallel()
            .forEach(i -> b.addGraphNode(i, ravv))).get();
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
    SearchResult r = searchers.get().search(DefaultSearchScoreProvider.exact(qv, vsf, ravv), k, Math.max(k, ef),
        0f, 0f, Bits.ALL);
    SearchResult.NodeScore[] ns = r.getNodes();
    int[] out = new int[Math.min(k, ns.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = ns[i].node;
    }
    return out;
  }
}
