package dev.quiver.local;

import dev.quiver.Capabilities;
import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.StoreClosedException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The embedded engine: a pure-Java vector store that runs in the calling process, with no server.
 * Open it with {@link #inMemory()} or {@code Quiver.open("memory:")}. Thread-safe.
 *
 * <p>Collections live in memory and are searched exactly ({@link dev.quiver.IndexSpec#flat()}) or
 * through an HNSW graph ({@link dev.quiver.IndexSpec#hnsw(int, int)}), with metadata indexes that
 * keep filtered search exact in what it admits at any selectivity. The search hint
 * {@link dev.quiver.SearchRequest#ef(int)} sets the HNSW candidate list size; on a FLAT collection
 * it is accepted and has no effect, because an exact search already returns the true nearest
 * neighbours, which is what a larger ef approaches. The IVF indexes and durable
 * {@code local:<path>} stores are declared unsupported in {@link #capabilities()} until they land.
 *
 * <p>Distances are computed by plain-Java loops, or by the Panama Vector API when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}; {@link #distanceKernel()} says which.
 */
public final class LocalVectorStore implements VectorStore {

  static final String BACKEND = "local";

  private static final Capabilities CAPABILITIES = Capabilities.builder(BACKEND)
      .supportsNatively(Feature.INDEX_FLAT, Feature.METRIC_COSINE, Feature.METRIC_DOT_PRODUCT,
          Feature.METRIC_EUCLIDEAN, Feature.DELETE_BY_FILTER, Feature.COUNT_BY_FILTER, Feature.LIST,
          Feature.LIST_BY_FILTER, Feature.UPDATE_METADATA, Feature.FILTERED_SEARCH,
          Feature.SEARCH_INCLUDE_VECTORS, Feature.EXACT_LONGS, Feature.INDEX_HNSW, Feature.SEARCH_EF,
            Feature.ZERO_VECTORS)
      .lacks(Feature.INDEX_IVF_FLAT, "the embedded IVF index is not built yet")
      .lacks(Feature.INDEX_IVF_PQ, "the embedded IVF-PQ index is not built yet")
      .lacks(Feature.SEARCH_NPROBE, "the embedded IVF index, which nprobe tunes, is not built yet")
      .lacks(Feature.DURABILITY, "collections live in memory; durable local:<path> stores are not built yet")
      .consistency(Capabilities.Consistency.STRONG)
      .maxTopK(100_000)
      .maxDimension(CollectionSpec.MAX_DIMENSION)
      .build();

  private final ConcurrentSkipListMap<String, LocalCollection> collections = new ConcurrentSkipListMap<>();
  private final String label;
  private volatile boolean closed;

  private LocalVectorStore(String label) {
    this.label = label;
  }

  /** @return a new, empty in-memory store */
  public static LocalVectorStore inMemory() {
    return new LocalVectorStore("memory:");
  }

  /**
   * Names the distance kernel this JVM uses, for benchmark reports: {@code "scalar"} for the
   * plain-Java loops, or {@code "panama-<bits>"} for the Vector API with its preferred vector width.
   *
   * @return the active kernel's name
   */
  public static String distanceKernel() {
    return dev.quiver.local.internal.kernel.Kernels.active().name();
  }

  @Override
  public VectorCollection createCollection(CollectionSpec spec) {
    checkOpen();
    if (spec == null) {
      throw new dev.quiver.InvalidArgumentException("collection spec must not be null");
    }
    CAPABILITIES.require(Feature.of(spec.metric()));
    CAPABILITIES.require(spec.index().feature());
    LocalCollection created = new LocalCollection(this, spec);
    if (collections.putIfAbsent(spec.name(), created) != null) {
      throw new CollectionAlreadyExistsException(spec.name());
    }
    return created;
  }

  @Override
  public VectorCollection collection(String name) {
    return find(name);
  }

  LocalCollection find(String name) {
    checkOpen();
    CollectionSpec.checkName(name);
    LocalCollection c = collections.get(name);
    if (c == null) {
      throw new CollectionNotFoundException(name);
    }
    return c;
  }

  /** Called by a collection handle on every operation: a dropped or replaced collection is gone. */
  void checkLive(LocalCollection c) {
    checkOpen();
    if (collections.get(c.name()) != c) {
      throw new CollectionNotFoundException(c.name());
    }
  }

  @Override
  public boolean hasCollection(String name) {
    checkOpen();
    CollectionSpec.checkName(name);
    return collections.containsKey(name);
  }

  @Override
  public List<String> listCollections() {
    checkOpen();
    return new ArrayList<>(collections.keySet());
  }

  @Override
  public CollectionSpec describeCollection(String name) {
    return find(name).spec();
  }

  @Override
  public boolean dropCollection(String name) {
    checkOpen();
    CollectionSpec.checkName(name);
    return collections.remove(name) != null;
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public void close() {
    closed = true;
    collections.clear();
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException(label);
    }
  }

  @Override
  public String toString() {
    return "LocalVectorStore[" + label + ", " + collections.size() + " collections]";
  }
}
