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
import dev.quiver.VectorStore;
import dev.quiver.local.LocalVectorStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Quiver's embedded engine, measured only through the public API (dev.quiver.*). */
final class QuiverEngine implements AnnEngine {

  private final boolean hnsw;
  private VectorStore store;
  private VectorCollection collection;

  QuiverEngine(boolean hnsw) {
    this.hnsw = hnsw;
  }

  @Override
  public String name() {
    return hnsw ? "quiver-hnsw" : "quiver-flat";
  }

  @Override
  public String notes() {
    return "kernel: " + KernelProbe.describe();
  }

  @Override
  public void build(float[][] base, BuildParams p, Progress progress) throws Exception {
    store = LocalVectorStore.inMemory();
    IndexSpec index = hnsw ? IndexSpec.hnsw(p.m(), p.efConstruction()) : IndexSpec.flat();
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

  @Override
  public int[] search(float[] q, int k, int ef) {
    SearchRequest r = SearchRequest.of(q, k).includeMetadata(false);
    return ids(collection.search(hnsw ? r.ef(ef) : r));
  }

  @Override
  public boolean approximate() {
    return hnsw;
  }

  @Override
  public boolean supportsFilter() {
    return true;
  }

  @Override
  public int[] searchFiltered(float[] q, int k, int ef, int bucketLimit) {
    SearchRequest r = SearchRequest.of(q, k).includeMetadata(false).filter(Filter.lt("sel", bucketLimit));
    return ids(collection.search(hnsw ? r.ef(ef) : r));
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
