package dev.quiver.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.BackendException;
import dev.quiver.Capabilities;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.DimensionMismatchException;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.Secret;
import dev.quiver.StoreClosedException;
import dev.quiver.UnavailableException;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The boundary, through a minimal adapter that records what reaches it. */
class BoundaryTest {

  static final String SECRET = "sk-PLANTED-4711";

  /** A minimal in-memory adapter; {@code calls} lists what got past the boundary. */
  static final class TinyStore extends AbstractVectorStore {
    final List<String> calls = new ArrayList<>();
    final Map<String, TinyCollection> collections = new TreeMap<>();
    Supplier<RuntimeException> failure;

    TinyStore() {
      super(List.of(Secret.of(SECRET)));
    }

    @Override
    public Capabilities capabilities() {
      return Capabilities.builder("tiny")
          .supportsNatively(Feature.INDEX_FLAT, Feature.METRIC_COSINE, Feature.METRIC_EUCLIDEAN, Feature.LIST,
              Feature.LIST_BY_FILTER, Feature.COUNT_BY_FILTER, Feature.DELETE_BY_FILTER, Feature.UPDATE_METADATA)
          .lacks(Feature.SEARCH_EF, "test double").lacks(Feature.ZERO_VECTORS, "test double").maxTopK(100).build();
    }

    @Override
    protected AbstractVectorCollection doCreateCollection(CollectionSpec spec) {
      TinyCollection c = new TinyCollection(this, spec);
      collections.put(spec.name(), c);
      return c;
    }

    @Override
    protected AbstractVectorCollection doCollection(String name) {
      calls.add("collection " + name);
      TinyCollection c = collections.get(name);
      if (c == null) {
        throw new CollectionNotFoundException(name);
      }
      return c;
    }

    @Override
    protected boolean doHasCollection(String name) {
      return collections.containsKey(name);
    }

    @Override
    protected List<String> doListCollections() {
      return new ArrayList<>(collections.keySet());
    }

    @Override
    protected CollectionSpec doDescribeCollection(String name) {
      return doCollection(name).spec();
    }

    @Override
    protected boolean doDropCollection(String name) {
      return collections.remove(name) != null;
    }

    @Override
    protected void doClose() {
      calls.add("close");
    }

    @Override
    protected String label() {
      return "tiny:";
    }
  }

  static final class TinyCollection extends AbstractVectorCollection {
    final TinyStore store;
    final TreeMap<String, Record> records = new TreeMap<>();

    TinyCollection(TinyStore store, CollectionSpec spec) {
      super(store, spec);
      this.store = store;
    }

    private void call(String what) {
      store.calls.add(what);
      if (store.failure != null) {
        throw store.failure.get();
      }
    }

    @Override
    protected void doUpsert(List<Record> batch) {
      call("upsert " + batch.size());
      batch.forEach(r -> records.put(r.id(), r));
    }

    @Override
    protected void doDelete(List<String> ids) {
      call("delete " + ids);
      ids.forEach(records::remove);
    }

    @Override
    protected void doDelete(Filter filter) {
      call("delete " + filter);
      records.values().removeIf(r -> filter.matches(r.metadata()));
    }

    @Override
    protected boolean doUpdateMetadata(String id, Metadata metadata) {
      call("update " + id);
      return records.computeIfPresent(id, (k, r) -> r.withMetadata(metadata)) != null;
    }

    @Override
    protected List<Record> doGet(List<String> ids) {
      call("get " + ids);
      return ids.stream().map(records::get).filter(r -> r != null).toList();
    }

    @Override
    protected long doCount(Optional<Filter> filter) {
      call("count");
      return records.values().stream().filter(r -> filter.map(f -> f.matches(r.metadata())).orElse(true)).count();
    }

    @Override
    protected Page doList(ListRequest request) {
      call("list " + request.cursor().orElse("-"));
      List<Record> page = new ArrayList<>();
      String after = request.cursor().orElse("");
      for (Record r : records.tailMap(after, false).values()) {
        if (request.filter().map(f -> f.matches(r.metadata())).orElse(true)) {
          page.add(r);
          if (page.size() == request.pageSize()) {
            return new Page(page, Optional.of(r.id()));
          }
        }
      }
      return new Page(page, Optional.empty());
    }

    @Override
    protected List<Match> doSearch(SearchRequest request) {
      call("search");
      return List.of();
    }
  }

  private static TinyStore storeWithRecords(int n) {
    TinyStore s = new TinyStore();
    VectorCollection c = s.createCollection(CollectionSpec.builder("c").dimension(2).metric(Metric.EUCLIDEAN).build());
    List<Record> rs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rs.add(Record.of(String.format("r%03d", i), new float[] {i, 1}, Metadata.of("i", i)));
    }
    c.upsert(rs);
    s.calls.clear();
    return s;
  }

  @Test
  @DisplayName("null and invalid arguments are typed errors and never reach the adapter")
  void badInputStopsAtTheBoundary() {
    TinyStore s = storeWithRecords(3);
    VectorCollection c = s.collection("c");
    s.calls.clear();
    assertThrows(InvalidArgumentException.class, () -> c.get((String) null));
    assertThrows(InvalidArgumentException.class, () -> c.get((List<String>) null));
    assertThrows(InvalidArgumentException.class, () -> c.upsert((List<Record>) null));
    assertThrows(InvalidArgumentException.class, () -> c.delete((Filter) null));
    assertThrows(InvalidArgumentException.class, () -> c.count(null));
    assertThrows(InvalidArgumentException.class, () -> c.list(null));
    assertThrows(InvalidArgumentException.class, () -> c.search(null));
    assertThrows(InvalidArgumentException.class, () -> c.updateMetadata("r001", null));
    assertThrows(DimensionMismatchException.class, () -> c.upsert(Record.of("x", new float[] {1, 2, 3})));
    assertThrows(DimensionMismatchException.class, () -> c.search(SearchRequest.of(new float[] {1}, 3)));
    assertThrows(InvalidArgumentException.class, () -> c.search(SearchRequest.of(new float[] {1, 1}, 101)));
    assertThrows(UnsupportedFeatureException.class, () -> c.search(SearchRequest.of(new float[] {1, 1}, 3).ef(10)));
    assertThrows(UnsupportedFeatureException.class, () -> c.upsert(Record.of("z", new float[] {0, 0})));
    assertThrows(InvalidArgumentException.class, () -> s.collection(null));
    assertThrows(InvalidArgumentException.class, () -> s.createCollection(null));
    assertThrows(UnsupportedFeatureException.class, () -> s.createCollection(
        CollectionSpec.builder("d").dimension(2).metric(Metric.DOT_PRODUCT).build()));
    assertEquals(List.of(), s.calls, "nothing reached the adapter");
    assertEquals(List.of(), c.get(List.of()));
    c.delete(List.of());
    c.upsert(List.of());
    assertEquals(List.of(), s.calls, "empty calls never reach the adapter");
  }

  @Test
  @DisplayName("reindex: refused by default with the backend's name; checked targets only reach doReindex; spec follows")
  void reindex() {
    TinyStore s = storeWithRecords(3);
    VectorCollection c = s.collection("c");
    s.calls.clear();
    UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> c.reindex(IndexSpec.flat()));
    assertEquals(Feature.REINDEX, e.feature());
    assertEquals("tiny", e.backend());
    assertThrows(InvalidArgumentException.class, () -> c.reindex(null));
    assertEquals(List.of(), s.calls, "nothing reached the adapter");

    List<CollectionSpec> reached = new ArrayList<>();
    AbstractVectorStore reindexing = new AbstractVectorStore(List.of()) {
      @Override
      public Capabilities capabilities() {
        return Capabilities.builder("re").supportsNatively(Feature.INDEX_FLAT, Feature.INDEX_HNSW, Feature.METRIC_COSINE,
            Feature.REINDEX).build();
      }

      @Override
      protected AbstractVectorCollection doCreateCollection(CollectionSpec spec) {
        return new ReindexingCollection(this, spec, reached);
      }

      @Override
      protected AbstractVectorCollection doCollection(String name) {
        throw new CollectionNotFoundException(name);
      }

      @Override
      protected boolean doHasCollection(String name) {
        return false;
      }

      @Override
      protected List<String> doListCollections() {
        return List.of();
      }

      @Override
      protected CollectionSpec doDescribeCollection(String name) {
        throw new CollectionNotFoundException(name);
      }

      @Override
      protected boolean doDropCollection(String name) {
        return false;
      }

      @Override
      protected void doClose() {}

      @Override
      protected String label() {
        return "re";
      }
    };
    VectorCollection r = reindexing.createCollection(CollectionSpec.builder("r").dimension(4).build());
    assertThrows(UnsupportedFeatureException.class, () -> r.reindex(IndexSpec.ivfFlat(4)), "an index kind it lacks");
    assertEquals(List.of(), reached);
    r.reindex(IndexSpec.hnsw(8, 32));
    assertEquals(List.of(CollectionSpec.builder("r").dimension(4).index(IndexSpec.hnsw(8, 32)).build()), reached);
    assertEquals(IndexSpec.hnsw(8, 32), r.spec().index(), "the handle reports the new index");
    // an adapter outside the boundary gets the interface's refusal
    assertEquals(Feature.REINDEX, assertThrows(UnsupportedFeatureException.class,
        () -> ((VectorCollection) new NotOnTheBoundary()).reindex(IndexSpec.flat())).feature());
  }

  /** A collection that offers reindexing and records the targets that reach it. */
  static final class ReindexingCollection extends AbstractVectorCollection {
    private final List<CollectionSpec> reached;

    ReindexingCollection(AbstractVectorStore store, CollectionSpec spec, List<CollectionSpec> reached) {
      super(store, spec);
      this.reached = reached;
    }

    @Override
    protected void doReindex(CollectionSpec target) {
      reached.add(target);
    }

    @Override
    protected void doUpsert(List<Record> records) {}

    @Override
    protected void doDelete(List<String> ids) {}

    @Override
    protected void doDelete(Filter filter) {}

    @Override
    protected boolean doUpdateMetadata(String id, Metadata metadata) {
      return false;
    }

    @Override
    protected List<Record> doGet(List<String> ids) {
      return List.of();
    }

    @Override
    protected long doCount(Optional<Filter> filter) {
      return 0;
    }

    @Override
    protected Page doList(ListRequest request) {
      return new Page(List.of(), Optional.empty());
    }

    @Override
    protected List<Match> doSearch(SearchRequest request) {
      return List.of();
    }
  }

  /** The bare interface: only what every implementation must write. */
  static final class NotOnTheBoundary implements VectorCollection {
    @Override
    public String name() {
      return "bare";
    }

    @Override
    public CollectionSpec spec() {
      return CollectionSpec.builder("bare").dimension(2).build();
    }

    @Override
    public void upsert(List<Record> records) {}

    @Override
    public List<Record> get(java.util.Collection<String> ids) {
      return List.of();
    }

    @Override
    public void delete(java.util.Collection<String> ids) {}

    @Override
    public void delete(Filter filter) {}

    @Override
    public boolean updateMetadata(String id, Metadata metadata) {
      return false;
    }

    @Override
    public long count() {
      return 0;
    }

    @Override
    public long count(Filter filter) {
      return 0;
    }

    @Override
    public Page list(ListRequest request) {
      return new Page(List.of(), Optional.empty());
    }

    @Override
    public List<Match> search(SearchRequest request) {
      return List.of();
    }
  }

  @Test
  @DisplayName("list cursors round-trip, and a garbled, foreign or other-filter cursor is refused instead of ending the scroll")
  void cursors() {
    TinyStore s = storeWithRecords(5);
    VectorCollection c = s.collection("c");
    Page first = c.list(ListRequest.of(2));
    String cursor = first.nextCursor().orElseThrow();
    assertFalse(cursor.contains("r001"), "the adapter's cursor is wrapped: " + cursor);
    List<String> ids = new ArrayList<>();
    first.records().forEach(r -> ids.add(r.id()));
    Optional<String> next = first.nextCursor();
    while (next.isPresent()) {
      Page p = c.list(ListRequest.of(2).cursor(next.get()));
      p.records().forEach(r -> ids.add(r.id()));
      next = p.nextCursor();
    }
    assertEquals(List.of("r000", "r001", "r002", "r003", "r004"), ids);

    char[] chars = cursor.toCharArray();
    chars[6] = chars[6] == 'A' ? 'B' : 'A';
    String garbled = new String(chars);
    assertThrows(InvalidArgumentException.class, () -> c.list(ListRequest.of(2).cursor(garbled)));
    assertThrows(InvalidArgumentException.class, () -> c.list(ListRequest.of(2).cursor("r001")));
    assertThrows(InvalidArgumentException.class, () -> c.list(ListRequest.of(2).cursor(cursor.substring(0, 10))));
    InvalidArgumentException otherFilter = assertThrows(InvalidArgumentException.class,
        () -> c.list(ListRequest.of(2).filter("i >= 0").cursor(cursor)));
    assertTrue(otherFilter.getMessage().contains("filter"), otherFilter.getMessage());

    VectorCollection other = s.createCollection(CollectionSpec.builder("other").dimension(2).build());
    InvalidArgumentException foreign = assertThrows(InvalidArgumentException.class,
        () -> other.list(ListRequest.of(2).cursor(cursor)));
    assertTrue(foreign.getMessage().contains("'c'"), foreign.getMessage());
  }

  @Test
  @DisplayName("a stray runtime exception becomes a BackendException; the store's secret is scrubbed from every message and cause")
  void mappingAndScrubbing() {
    TinyStore s = storeWithRecords(1);
    VectorCollection c = s.collection("c");
    s.failure = () -> new IllegalStateException("header Api-Key: " + SECRET + " is malformed",
        new RuntimeException("nested " + SECRET));
    BackendException e = assertThrows(BackendException.class, () -> c.count());
    assertNoSecret(e);
    assertTrue(e.getMessage().contains("IllegalStateException"), e.getMessage());

    s.failure = () -> new UnavailableException("cannot reach host with key " + SECRET, new RuntimeException(SECRET));
    UnavailableException u = assertThrows(UnavailableException.class, () -> c.get("r000"));
    assertNoSecret(u);
    assertTrue(u.isTransient());

    s.failure = () -> new dev.quiver.RateLimitedException("slow down, " + SECRET, java.time.Duration.ofSeconds(7), null);
    dev.quiver.RateLimitedException r = assertThrows(dev.quiver.RateLimitedException.class, () -> c.count());
    assertNoSecret(r);
    assertEquals(java.time.Duration.ofSeconds(7), r.retryAfter().orElseThrow(), "type and data kept when scrubbed");

    s.failure = () -> new DimensionMismatchException("record '" + SECRET + "'", 2, 3);
    DimensionMismatchException d = assertThrows(DimensionMismatchException.class, () -> c.count());
    assertNoSecret(d);
    assertEquals(3, d.actual());

    s.failure = () -> new IllegalStateException((String) null, new RuntimeException((String) null,
        new RuntimeException("deep " + SECRET)));
    assertNoSecret(assertThrows(BackendException.class, () -> c.count())); // causes without a message are walked too

    s.failure = () -> new CollectionNotFoundException("c");
    assertThrows(CollectionNotFoundException.class, () -> c.count(), "a typed error passes unchanged");
  }

  @Test
  @DisplayName("after close every call is refused with StoreClosedException and close runs once")
  void closed() {
    TinyStore s = storeWithRecords(1);
    VectorCollection c = s.collection("c");
    s.close();
    s.close();
    assertEquals(1, s.calls.stream().filter("close"::equals).count());
    assertThrows(StoreClosedException.class, () -> c.count());
    assertThrows(StoreClosedException.class, () -> s.listCollections());
  }

  static void assertNoSecret(Throwable t) {
    for (Throwable x = t; x != null; x = x.getCause()) {
      assertFalse(String.valueOf(x.getMessage()).contains(SECRET), "secret in " + x);
      assertFalse(x.toString().contains(SECRET), "secret in " + x);
      for (Throwable s : x.getSuppressed()) {
        assertNoSecret(s);
      }
    }
    assertInstanceOf(VectorStoreException.class, t);
  }
}
