package dev.quiver.bench;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import dev.quiver.local.LocalIndexInfo;
import dev.quiver.local.LocalVectorStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Quiver's embedded engine, measured through the public API (dev.quiver.*); for IVF, training figures
 * come from {@link LocalVectorStore#indexInfo(String)}. IVF searches pass the sweep's knob as
 * {@code nprobe} and, for IVF-PQ, the re-ranking depth as {@code ef}.
 */
final class QuiverEngine implements AnnEngine {

  /** Which index. */
  enum Kind {
    FLAT("quiver-flat"), HNSW("quiver-hnsw"), IVF_FLAT("quiver-ivf-flat"), IVF_PQ("quiver-ivf-pq");

    final String engine;

    Kind(String engine) {
      this.engine = engine;
    }
  }

  private final Kind kind;
  private LocalVectorStore store;
  private VectorCollection collection;
  private int rerank;

  QuiverEngine(Kind kind) {
    this.kind = kind;
  }

  @Override
  public String name() {
    return kind.engine;
  }

  @Override
  public String notes() {
    String kernel = "kernel: " + KernelProbe.describe();
    if (kind != Kind.IVF_FLAT && kind != Kind.IVF_PQ) {
      return kernel;
    }
    LocalIndexInfo info = store.indexInfo("bench");
    return kernel + "; " + info.index() + ", trained on " + info.trainingSamples() + " vectors (the first "
        + info.trainingSize() + " upserted and those arriving meanwhile), mean squared quantisation error "
        + String.format(java.util.Locale.ROOT, "%.4g", info.trainingError())
        + (kind == Kind.IVF_PQ ? "; ef (re-ranking depth) " + rerank : "");
  }

  @Override
  public double trainSeconds() {
    return kind == Kind.IVF_FLAT || kind == Kind.IVF_PQ ? store.indexInfo("bench").trainingMillis() / 1000.0 : Double.NaN;
  }

  @Override
  public long indexBytes() {
    return store.indexInfo("bench").indexBytes();
  }

  @Override
  public void build(float[][] base, BuildParams p, Progress progress) throws Exception {
    store = LocalVectorStore.inMemory();
    rerank = p.rerank();
    IndexSpec index = switch (kind) {
      case FLAT -> IndexSpec.flat();
      case HNSW -> IndexSpec.hnsw(p.m(), p.efConstruction());
      case IVF_FLAT -> IndexSpec.ivfFlat(p.nlist());
      case IVF_PQ -> IndexSpec.ivfPq(p.nlist(), p.pqM(), p.pqBits());
    };
    try {
      collection = store.createCollection(CollectionSpec.builder("bench").dimension(base[0].length)
          .metric(p.metric()).index(index).build());
    } catch (UnsupportedFeatureException e) {
      throw new Unavailable("the embedded engine does not offer " + index + " yet (" + e.getMessage() + ")");
    }
    int batch = 1000;
    List<Future<?>> fs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, p.threads()));
    try {
      for (int from = 0; from < base.length; from += batch) {
        int lo = from;
        int hi = Math.min(base.length, from + batch);
        fs.add(pool.submit(() -> {
          List<Record> rs = new ArrayList<>(hi - lo);
          for (int i = lo; i < hi; i++) {
            rs.add(Record.of(Integer.toString(i), base[i], Metadata.of("sel", (long) Selectivity.bucket(i))));
          }
          collection.upsert(rs);
          progress.add(hi - lo);
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private SearchRequest knob(SearchRequest r, int ef) {
    return switch (kind) {
      case FLAT -> r;
      case HNSW -> r.ef(ef);
      case IVF_FLAT -> r.nprobe(ef);
      case IVF_PQ -> r.nprobe(ef).ef(rerank);
    };
  }

  @Override
  public int[] search(float[] q, int k, int ef) {
    return ids(collection.search(knob(SearchRequest.of(q, k).includeMetadata(false), ef)));
  }

  @Override
  public boolean approximate() {
    return kind != Kind.FLAT;
  }

  @Override
  public boolean supportsFilter() {
    return true;
  }

  @Override
  public int[] searchFiltered(float[] q, int k, int ef, int bucketLimit) {
    SearchRequest r = SearchRequest.of(q, k).includeMetadata(false).filter(Filter.lt("sel", bucketLimit));
    return ids(collection.search(knob(r, ef)));
  }

  private static int[] ids(List<Match> ms) {
    int[] out = new int[ms.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Integer.parseInt(ms.get(i).id());
    }
    return out;
  }

  @Override
  public void close() {
    if (store != null) {
      store.close();
    }
  }
}
