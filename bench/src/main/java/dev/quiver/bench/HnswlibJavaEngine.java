package dev.quiver.bench;

import com.github.jelmerk.hnswlib.core.DistanceFunction;
import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import dev.quiver.Metric;
import java.util.ArrayList;
import java.util.List;

/** hnswlib-java (com.github.jelmerk:hnswlib-core). Its ef is a field of the index, so searches at one ef run together. */
final class HnswlibJavaEngine implements AnnEngine {

  /** One vector with its ordinal as id. */
  record Vec(Integer id, float[] vector) implements Item<Integer, float[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public int dimensions() {
      return vector.length;
    }
  }

  private HnswIndex<Integer, float[], Vec, Float> index;
  private boolean cosine;

  @Override
  public String name() {
    return "hnswlib-java";
  }

  @Override
  public String notes() {
    return "hnswlib-core " + pkgVersion(HnswIndex.class);
  }

  static String pkgVersion(Class<?> c) {
    String v = c.getPackage().getImplementationVersion();
    return v == null ? "" : v;
  }

  @Override
  public void build(float[][] base, BuildParams p, Progress progress) throws Exception {
    cosine = p.metric() == Metric.COSINE;
    DistanceFunction<float[], Float> df = switch (p.metric()) {
      case EUCLIDEAN -> DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE;
      // vectors are normalised up front so the cheaper inner product ranks like cosine
      case COSINE, DOT_PRODUCT -> DistanceFunctions.FLOAT_INNER_PRODUCT;
    };
    index = HnswIndex.newBuilder(base[0].length, df, base.length).withM(p.m())
        .withEfConstruction(p.efConstruction()).withEf(10).build();
    List<Vec> items = new ArrayList<>(base.length);
    for (int i = 0; i < base.length; i++) {
      items.add(new Vec(i, cosine ? GroundTruth.normalize(base[i]) : base[i]));
    }
    index.addAll(items, Math.max(1, p.threads()), (done, max) -> progress.set(done), 1000);
    progress.set(base.length);
  }

  @Override
  public void prepare(int ef) {
    index.setEf(ef);
  }

  @Override
  public int[] search(float[] q, int k, int ef) {
    List<SearchResult<Vec, Float>> rs = index.findNearest(cosine ? GroundTruth.normalize(q) : q, k);
    int[] out = new int[rs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = rs.get(i).item().id();
    }
    return out;
  }
}
