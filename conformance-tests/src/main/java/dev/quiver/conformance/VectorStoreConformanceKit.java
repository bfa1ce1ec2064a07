package dev.quiver.conformance;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.quiver.Capabilities;
import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.DimensionMismatchException;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.InvalidFilterException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Quiver conformance kit: the portable semantics of DESIGN §3 as JUnit 5 tests. A backend
 * (ours or a third party's) runs it by extending this class and supplying a store:
 *
 * <pre>{@code
 * class LocalConformanceTest extends VectorStoreConformanceKit {
 *   protected VectorStore createStore() { return LocalVectorStore.inMemory(); }
 * }
 * }</pre>
 *
 * <p>{@link #createStore()} is called once per test; every collection the kit creates has a unique
 * name ({@code kit_<random>}) and is dropped after the test, so the kit can run against a shared
 * server. Settings ({@link #indexForTests()}, {@link #annRecallFloor()}, {@link #visibilityTimeout()},
 * {@link #reportName()}, {@link #reopenStore(VectorStore)}) have defaults and can be overridden.
 *
 * <p>Cases that need a {@link Feature} the backend declares unsupported are skipped with the
 * declared reason (printed as {@code SKIPPED (unsupported by <backend>): <feature>: <reason>}), and
 * the "Capability gating" group checks that using such a feature throws
 * {@link UnsupportedFeatureException}. No case is dropped otherwise. After the run,
 * {@link ConformanceReportExtension} writes {@code target/conformance/<reportName>.md}.
 *
 * <p>Generated data and filters are seeded; the seed is printed and can be fixed with
 * {@code -Dquiver.kit.seed=<n>}.
 */
@ExtendWith(ConformanceReportExtension.class)
@TestClassOrder(ClassOrderer.OrderAnnotation.class) // groups run (and are reported) in the order below
public abstract class VectorStoreConformanceKit {

  /** System property that fixes the seed of generated data and filters. */
  public static final String SEED_PROPERTY = "quiver.kit.seed";

  /** How many random filters the generated-filter cases check (count, list and search each). */
  public static final int GENERATED_FILTERS = 600;

  /** How many of them are also checked with {@code delete(filter)} (each needs a re-upsert). */
  public static final int GENERATED_DELETE_FILTERS = 50;

  /** Vector dimension of most kit collections: small, so the kit stays cheap on shared machines. */
  protected static final int DIM = 8;

  /** Tolerance on scores and distances against the reference formulas (float32 backends). */
  protected static final double SCORE_TOLERANCE = 1e-4;

  private static final long SEED = initialSeed();

  private VectorStore store;
  private Capabilities capabilities;
  private final List<String> createdCollections = Collections.synchronizedList(new ArrayList<>());

  /** Subclasses supply the store in {@link #createStore()}. */
  protected VectorStoreConformanceKit() {}

  // =====================================================================================
  // Hooks and settings
  // =====================================================================================

  /**
   * Opens the store under test. Called once before every test; the kit closes it after the test.
   * A backend that cannot run here (no server, no credentials) should abort with
   * {@link Assumptions#abort(String)} and a reason, so the run says so instead of passing.
   *
   * @return a fresh, open store
   */
  protected abstract VectorStore createStore();

  /**
   * The recall@10 a search with {@link #indexForTests()} must reach, averaged over the queries.
   * Used only for approximate indexes; an exact (FLAT) index must reach 1.0.
   *
   * @return the floor, 0..1 (default 0.95)
   */
  protected double annRecallFloor() {
    return 0.95;
  }

  /**
   * The index of the collections the kit creates for general cases. Cases that need exact results
   * (the search oracle, the filter tables) use FLAT whenever the backend offers it.
   *
   * @return the index (default {@link IndexSpec#flat()})
   */
  protected IndexSpec indexForTests() {
    return IndexSpec.flat();
  }

  /**
   * For {@link Capabilities.Consistency#EVENTUAL} backends, how long the kit polls for a write to
   * become visible before it asserts (strictly) on what it sees. Unused for STRONG backends, which
   * must show a write to the next read.
   *
   * @return the timeout (default 30 s)
   */
  protected Duration visibilityTimeout() {
    return Duration.ofSeconds(30);
  }

  /**
   * The report's file name (without {@code .md}); override to tell configurations of one backend
   * apart, for example {@code "local-hnsw"}.
   *
   * @return the name (default: the backend name from {@link Capabilities#backend()})
   */
  protected String reportName() {
    return capabilities().backend();
  }

  /**
   * For the durability check ({@link Feature#DURABILITY}): closes nothing itself, but opens the same
   * store again after the kit closed {@code closed}. The default returns {@code null}, which skips
   * the check.
   *
   * @param closed a store the kit has just closed
   * @return a new store over the same data, or {@code null} when the subclass cannot reopen
   */
  protected VectorStore reopenStore(VectorStore closed) {
    return null;
  }

  // =====================================================================================
  // Lifecycle and helpers available to subclasses
  // =====================================================================================

  @BeforeEach
  final void openStore() {
    store = Objects.requireNonNull(createStore(), "createStore() returned null");
    capabilities = Objects.requireNonNull(store.capabilities(), "capabilities() returned null");
  }

  @AfterEach
  final void closeStore() {
    VectorStore s = store;
    if (s == null) {
      return;
    }
    try {
      for (String name : List.copyOf(createdCollections)) {
        try {
          s.dropCollection(name);
        } catch (RuntimeException e) {
          System.out.println("Quiver kit: could not drop collection " + name + ": " + e);
        }
      }
    } finally {
      createdCollections.clear();
      try {
        s.close();
      } catch (RuntimeException e) {
        System.out.println("Quiver kit: close() failed: " + e);
      }
    }
  }

  /** @return the store of the running test */
  protected final VectorStore store() {
    return store;
  }

  /** @return the capabilities of the store of the running test */
  protected final Capabilities capabilities() {
    return capabilities;
  }

  Capabilities capabilitiesOrNull() {
    return capabilities;
  }

  String reportNameSafely() {
    try {
      return reportName();
    } catch (RuntimeException e) {
      return capabilities == null ? null : capabilities.backend();
    }
  }

  /** @return the seed of generated data and filters for this run */
  protected static long seed() {
    return SEED;
  }

  private static long initialSeed() {
    String fixed = System.getProperty(SEED_PROPERTY);
    if (fixed != null && !fixed.isBlank()) {
      return Long.parseLong(fixed.trim());
    }
    return ThreadLocalRandom.current().nextLong();
  }

  /**
   * Skips the running case when the backend lacks the feature, printing
   * {@code SKIPPED (unsupported by <backend>): <feature>: <reason>}.
   *
   * @param feature the feature the case needs
   */
  protected final void requireFeature(Feature feature) {
    if (!capabilities.supports(feature)) {
      String line = ConformanceReportExtension.UNSUPPORTED_PREFIX + capabilities.backend() + "): " + feature + ": "
          + capabilities.entry(feature).note();
      System.out.println(line);
      Assumptions.abort(line);
    }
  }

  /** @return a fresh, unique collection name */
  protected static String uniqueName() {
    return "kit_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  }

  /**
   * Creates a collection the kit drops after the test; skips the case if the metric or index is
   * unsupported.
   *
   * @param metric the metric
   * @param index the index
   * @param dimension the dimension
   * @return the new collection
   */
  protected final VectorCollection newCollection(Metric metric, IndexSpec index, int dimension) {
    requireFeature(Feature.of(metric));
    requireFeature(index.feature());
    CollectionSpec spec = CollectionSpec.builder(uniqueName()).dimension(dimension).metric(metric).index(index).build();
    createdCollections.add(spec.name());
    return store.createCollection(spec);
  }

  /** @return a collection with {@link #defaultMetric()}, {@link #indexForTests()} and {@link #DIM} */
  protected final VectorCollection newCollection() {
    return newCollection(defaultMetric(), indexForTests(), DIM);
  }

  /** @return a collection with an exact index where the backend has one (else {@link #indexForTests()}) */
  protected final VectorCollection newExactCollection() {
    return newCollection(defaultMetric(), exactIndex(), DIM);
  }

  /** @return FLAT when supported, else {@link #indexForTests()} */
  protected final IndexSpec exactIndex() {
    return capabilities.supports(Feature.INDEX_FLAT) ? IndexSpec.flat() : indexForTests();
  }

  /** @return the first supported of COSINE, EUCLIDEAN, DOT_PRODUCT */
  protected final Metric defaultMetric() {
    for (Metric m : List.of(Metric.COSINE, Metric.EUCLIDEAN, Metric.DOT_PRODUCT)) {
      if (capabilities.supports(Feature.of(m))) {
        return m;
      }
    }
    requireFeature(Feature.METRIC_COSINE);
    throw new AssertionError("unreachable");
  }

  /**
   * Reads until the value satisfies {@code expected} or {@link #visibilityTimeout()} passes (EVENTUAL
   * backends), or reads once (STRONG backends). The caller then asserts strictly on the result.
   *
   * @param read the read to repeat
   * @param expected when the read shows the expected state
   * @param <T> the value type
   * @return the last value read
   */
  protected final <T> T awaitVisible(Supplier<T> read, Predicate<? super T> expected) {
    T value = read.get();
    if (capabilities.consistency() == Capabilities.Consistency.STRONG) {
      return value;
    }
    long deadline = System.nanoTime() + visibilityTimeout().toNanos();
    long sleep = 10;
    while (!expected.test(value) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return value;
      }
      sleep = Math.min(sleep * 2, 1000); // back off: remote reads are not free
      value = read.get();
    }
    return value;
  }

  /**
   * Waits (EVENTUAL backends only) until the collection counts {@code n}, then asserts it.
   *
   * @param c a collection
   * @param n the expected count
   */
  protected final void awaitCount(VectorCollection c, long n) {
    assertEquals(n, (long) awaitVisible(c::count, v -> v == n), "count() of " + c.name());
  }

  /** Lets an EVENTUAL backend settle before asserting that something did NOT happen. */
  private void settleNegative() {
    if (capabilities.consistency() == Capabilities.Consistency.EVENTUAL) {
      try {
        Thread.sleep(Math.min(2000, visibilityTimeout().toMillis() / 10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Upserts records and waits until all of them are visible with the given content.
   *
   * @param c a collection
   * @param records the records
   */
  protected final void upsertVisible(VectorCollection c, List<Record> records) {
    c.upsert(records);
    if (capabilities.consistency() == Capabilities.Consistency.EVENTUAL) {
      List<String> ids = ids(records);
      Set<Record> want = new HashSet<>(records);
      awaitVisible(() -> c.get(ids), got -> new HashSet<>(got).equals(want));
    }
  }

  /**
   * @param id an id
   * @param dimension the vector length
   * @return a deterministic, non-zero pseudo-random vector for the id
   */
  protected static float[] vectorFor(String id, int dimension) {
    return DatasetGenerator.vector(new Random(id.hashCode() * 31L + dimension), dimension);
  }

  /**
   * @param id an id
   * @param metadata the metadata
   * @return a record with {@link #vectorFor(String, int)} in {@link #DIM} dimensions
   */
  protected static Record rec(String id, Metadata metadata) {
    return Record.of(id, vectorFor(id, DIM), metadata);
  }

  /**
   * @param prefix id prefix
   * @param n how many
   * @return records {@code prefix0000..}, each with metadata {@code i} = its index
   */
  protected static List<Record> recs(String prefix, int n) {
    List<Record> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = String.format("%s%04d", prefix, i);
      out.add(rec(id, Metadata.of("i", (long) i, "p", prefix)));
    }
    return out;
  }

  /**
   * @param records records
   * @return their ids, in order
   */
  protected static List<String> ids(Collection<Record> records) {
    return records.stream().map(Record::id).collect(Collectors.toList());
  }

  /**
   * Follows {@link Page#nextCursor()} to the end, checking each page's size.
   *
   * @param c a collection
   * @param filter a filter or {@code null}
   * @param pageSize the page size
   * @return every record of every page, in scroll order (duplicates kept, so callers can detect them)
   */
  protected static List<Record> scroll(VectorCollection c, Filter filter, int pageSize) {
    List<Record> all = new ArrayList<>();
    ListRequest req = ListRequest.of(pageSize).filter(filter);
    Page page = c.list(req);
    int pages = 1;
    while (true) {
      assertTrue(page.records().size() <= pageSize,
          "a page holds " + page.records().size() + " records, more than pageSize " + pageSize);
      all.addAll(page.records());
      if (page.nextCursor().isEmpty()) {
        return all;
      }
      if (++pages > 100_000) {
        fail("list() did not end after 100000 pages; the cursor does not advance");
      }
      page = c.list(req.cursor(page.nextCursor().get()));
    }
  }

  private static List<String> searchIds(VectorCollection c, float[] q, int topK, Filter filter) {
    return c.search(SearchRequest.of(q, topK).filter(filter)).stream().map(Match::id).collect(Collectors.toList());
  }

  private static <T> void assertNoDuplicates(List<T> values, String what) {
    Map<T, Integer> counts = new HashMap<>();
    for (T v : values) {
      counts.merge(v, 1, Integer::sum);
    }
    List<T> dups = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    assertTrue(dups.isEmpty(), what + " returned duplicates: " + dups);
  }

  /** Asserts that the store and collection still work: a probe record is written, read and deleted. */
  private void assertStillUsable(VectorCollection c) {
    String id = "probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    Record probe = Record.of(id, vectorFor(id, c.spec().dimension()), Metadata.of("probe", true));
    long before = c.count();
    upsertVisible(c, List.of(probe));
    assertEquals(List.of(probe), c.get(List.of(id)), "store not usable after a rejected call: probe not readable");
    c.delete(List.of(id));
    awaitCount(c, before);
    assertTrue(store.hasCollection(c.name()), "collection vanished after a rejected call");
  }

  /**
   * Asserts that {@code op} throws {@code type}, that the collection holds exactly {@code before}
   * afterwards (nothing written), and that the store is still usable.
   */
  private <T extends Throwable> T assertRejected(Class<T> type, VectorCollection c, List<Record> before,
      Collection<String> attemptedIds, Executable op) {
    T e = assertThrows(type, op);
    settleNegative();
    assertEquals(before.size(), c.count(), "a rejected call changed count(): something was written");
    Set<String> ids = new LinkedHashSet<>(ids(before));
    ids.addAll(attemptedIds);
    List<Record> now = c.get(List.copyOf(ids));
    assertEquals(new HashSet<>(before), new HashSet<>(now), "a rejected call changed the stored records");
    assertStillUsable(c);
    return e;
  }

  private static Set<String> expectedIds(Map<String, Metadata> data, Filter f) {
    Set<String> out = new TreeSet<>();
    data.forEach((id, m) -> {
      if (f.matches(m)) {
        out.add(id);
      }
    });
    return out;
  }

  private static String diff(Set<String> expected, Collection<String> actual, Map<String, Metadata> data) {
    Set<String> missing = new TreeSet<>(expected);
    missing.removeAll(actual);
    Set<String> extra = new TreeSet<>(actual);
    extra.removeAll(expected);
    StringBuilder sb = new StringBuilder();
    if (!missing.isEmpty()) {
      sb.append(" missing (match, not returned): ");
      missing.forEach(id -> sb.append(id).append(data.getOrDefault(id, Metadata.empty())).append(' '));
    }
    if (!extra.isEmpty()) {
      sb.append(" unexpected (returned, no match): ");
      extra.forEach(id -> sb.append(id).append(data.getOrDefault(id, Metadata.empty())).append(' '));
    }
    if (actual.size() != new HashSet<>(actual).size()) {
      sb.append(" duplicates in ").append(actual);
    }
    return sb.toString();
  }

  /**
   * Checks a backend's search against the exact oracle: same ids (up to ties within the tolerance at
   * the cut-off), and each match's score and distance equal to the reference ones within
   * {@value #SCORE_TOLERANCE}, best first.
   */
  private static void assertMatchesOracle(List<Match> got, List<ExactOracle.Hit> want, List<Record> data, float[] q,
      Metric metric, String what) {
    assertEquals(want.size(), got.size(), what + ": number of matches");
    Map<String, Record> byId = new HashMap<>();
    data.forEach(r -> byId.put(r.id(), r));
    for (int i = 0; i < got.size(); i++) {
      Match m = got.get(i);
      Record r = byId.get(m.id());
      assertNotNull(r, what + ": unknown id " + m.id());
      double d = metric.distance(q, r.vector());
      double s = metric.scoreFromDistance(d);
      int rank = i;
      assertAll(what + " rank " + i + " id " + m.id(),
          () -> assertEquals(s, m.score(), SCORE_TOLERANCE, "score of " + m.id()),
          () -> assertEquals(d, m.distance(), SCORE_TOLERANCE, "distance of " + m.id()),
          () -> assertEquals(want.get(rank).score(), m.score(), SCORE_TOLERANCE,
              "score at rank " + rank + " (expected " + want.get(rank).id() + ")"));
      if (i > 0) {
        assertTrue(got.get(i - 1).score() >= m.score() - 1e-6, what + ": matches not best first at rank " + i);
      }
    }
    // ids: equal sets, except records tied (within tolerance) with the last expected score
    if (!want.isEmpty()) {
      double cut = want.get(want.size() - 1).score();
      Set<String> wantSure = want.stream().filter(h -> h.score() > cut + SCORE_TOLERANCE).map(ExactOracle.Hit::id)
          .collect(Collectors.toSet());
      Set<String> gotIds = got.stream().map(Match::id).collect(Collectors.toSet());
      assertEquals(got.size(), gotIds.size(), what + ": duplicate ids " + got);
      Set<String> missing = new TreeSet<>(wantSure);
      missing.removeAll(gotIds);
      assertTrue(missing.isEmpty(), what + ": oracle's top ids missing: " + missing);
    }
  }

  private static double recallAt10(List<Match> got, List<ExactOracle.Hit> want) {
    Set<String> w = want.stream().map(ExactOracle.Hit::id).collect(Collectors.toSet());
    long hit = got.stream().map(Match::id).filter(w::contains).count();
    return want.isEmpty() ? 1.0 : (double) hit / want.size();
  }

  // =====================================================================================
  // Collections
  // =====================================================================================

  /** Collection lifecycle: create, exists, list, describe, drop. */
  @Nested
  @Order(1)
  @DisplayName("Collections")
  class CollectionLifecycle {

    @Test
    @DisplayName("a created collection exists, is listed (sorted) and describes itself with its spec")
    void createDescribe() {
      Metric metric = defaultMetric();
      requireFeature(indexForTests().feature());
      CollectionSpec spec = CollectionSpec.builder(uniqueName()).dimension(DIM).metric(metric).index(indexForTests())
          .build();
      createdCollections.add(spec.name());
      VectorCollection c = store.createCollection(spec);
      assertEquals(spec.name(), c.name());
      assertEquals(spec, c.spec());
      assertTrue(awaitVisible(() -> store.hasCollection(spec.name()), v -> v), "hasCollection after create");
      List<String> names = store.listCollections();
      assertTrue(names.contains(spec.name()), "listCollections() lacks " + spec.name() + ": " + names);
      List<String> sorted = new ArrayList<>(names);
      Collections.sort(sorted);
      assertEquals(sorted, names, "listCollections() is not sorted");
      assertEquals(spec, store.describeCollection(spec.name()));
      assertEquals(spec, store.collection(spec.name()).spec());
      assertEquals(0, c.count(), "a new collection is empty");
    }

    @Test
    @DisplayName("creating a collection twice fails with CollectionAlreadyExistsException and leaves the first intact")
    void createTwice() {
      VectorCollection c = newCollection();
      List<Record> data = recs("a", 3);
      upsertVisible(c, data);
      CollectionSpec again = c.spec().toBuilder().dimension(DIM + 4).build();
      CollectionAlreadyExistsException e = assertThrows(CollectionAlreadyExistsException.class,
          () -> store.createCollection(again));
      assertEquals(c.name(), e.collection());
      assertEquals(c.spec(), store.describeCollection(c.name()), "the first collection's spec changed");
      awaitCount(c, 3);
      assertEquals(data, c.get(ids(data)));
    }

    @Test
    @DisplayName("dropping a collection removes it and its records; dropping again returns false; the name can be reused")
    void drop() {
      VectorCollection c = newCollection();
      upsertVisible(c, recs("d", 5));
      assertTrue(store.dropCollection(c.name()), "drop of an existing collection returns true");
      assertFalse(awaitVisible(() -> store.hasCollection(c.name()), v -> !v), "hasCollection after drop");
      assertFalse(store.listCollections().contains(c.name()), "dropped collection still listed");
      assertThrows(CollectionNotFoundException.class, () -> store.collection(c.name()));
      assertThrows(CollectionNotFoundException.class, () -> store.describeCollection(c.name()));
      assertFalse(store.dropCollection(c.name()), "drop of a missing collection returns false");
      VectorCollection again = store.createCollection(c.spec());
      assertEquals(0, again.count(), "a re-created collection starts empty");
    }

    @Test
    @DisplayName("an unknown collection is not found: collection() and describeCollection() throw CollectionNotFoundException")
    void unknown() {
      String name = uniqueName();
      assertFalse(store.hasCollection(name));
      CollectionNotFoundException e = assertThrows(CollectionNotFoundException.class, () -> store.collection(name));
      assertEquals(name, e.collection());
      assertThrows(CollectionNotFoundException.class, () -> store.describeCollection(name));
      assertFalse(store.dropCollection(name));
    }

    @Test
    @DisplayName("collections are independent: the same id in two collections is two records")
    void independent() {
      VectorCollection a = newCollection();
      VectorCollection b = newCollection();
      Record ra = rec("same", Metadata.of("origin", "a"));
      Record rb = rec("same", Metadata.of("origin", "b"));
      upsertVisible(a, List.of(ra));
      upsertVisible(b, List.of(rb));
      assertEquals(List.of(ra), a.get(List.of("same")));
      assertEquals(List.of(rb), b.get(List.of("same")));
      a.delete(List.of("same"));
      awaitCount(a, 0);
      assertEquals(1, b.count(), "deleting in one collection changed another");
    }
  }

  // =====================================================================================
  // Records
  // =====================================================================================

  /** Records come back as written. */
  @Nested
  @Order(2)
  @DisplayName("Records")
  class Records {

    @Test
    @DisplayName("a record comes back with its id, exact float32 vector and typed metadata")
    void roundTrip() {
      VectorCollection c = newCollection();
      Metadata m = Metadata.of("str", "value", "long", 42L, "neg", -7L, "dbl", 1.0, "frac", 0.1, "yes", true,
          "no", false, "list", List.of("x", "y", "x"), "empty", List.of(), "uni", "ünï 🙂", "blank", "");
      float[] v = {0.1f, -2.5f, 3.0e-8f, 1e20f, -0.0f, 7f, Float.MIN_VALUE, 123.456f};
      Record r = Record.of("r1", v, m);
      upsertVisible(c, List.of(r));
      Record got = c.get("r1").orElseThrow();
      assertEquals("r1", got.id());
      assertArrayEquals(v, got.vector(), "vector must come back bit for bit");
      assertEquals(m, got.metadata(), "metadata must come back with the same types (1.0 stays a double)");
      assertEquals(Double.class, got.metadata().get("dbl").orElseThrow().getClass());
      assertEquals(Long.class, got.metadata().get("long").orElseThrow().getClass());
    }

    @Test
    @DisplayName("a record without metadata comes back with empty metadata")
    void noMetadata() {
      VectorCollection c = newCollection();
      Record r = Record.of("bare", vectorFor("bare", DIM));
      upsertVisible(c, List.of(r));
      assertEquals(Metadata.empty(), c.get("bare").orElseThrow().metadata());
    }

    @Test
    @DisplayName("a batch of 250 records is stored completely")
    void batch() {
      VectorCollection c = newCollection();
      List<Record> data = recs("b", 250);
      upsertVisible(c, data);
      awaitCount(c, 250);
      assertEquals(data, c.get(ids(data)));
    }

    @Test
    @DisplayName("a batch of 2500 records (above typical vendor limits) is split by the adapter, not refused")
    void largeBatch() {
      VectorCollection c = newCollection();
      List<Record> data = recs("L", 2500);
      c.upsert(data);
      awaitCount(c, 2500);
      assertEquals(data, awaitVisible(() -> c.get(ids(data)), got -> got.size() == data.size()));
    }

    @Test
    @DisplayName("longs beyond ±2^53 and the long extremes are stored exactly")
    void exactLongs() {
      requireFeature(Feature.EXACT_LONGS);
      VectorCollection c = newCollection();
      Metadata m = Metadata.of("a", ValuePool.TWO_POW_53_PLUS_1, "b", Long.MAX_VALUE, "c", Long.MIN_VALUE,
          "d", -ValuePool.TWO_POW_53_PLUS_1);
      upsertVisible(c, List.of(rec("big", m)));
      assertEquals(m, c.get("big").orElseThrow().metadata());
    }

    @Test
    @DisplayName("updateMetadata replaces the metadata (old keys gone) and keeps the vector")
    void updateMetadata() {
      requireFeature(Feature.UPDATE_METADATA);
      VectorCollection c = newCollection();
      Record r = rec("u1", Metadata.of("old", "x", "keep", 1L));
      upsertVisible(c, List.of(r, rec("u2", Metadata.of("old", "y"))));
      Metadata fresh = Metadata.of("keep", 2L, "new", "z");
      assertTrue(c.updateMetadata("u1", fresh), "updateMetadata of an existing id returns true");
      Record got = awaitVisible(() -> c.get("u1").orElseThrow(), g -> g.metadata().equals(fresh));
      assertEquals(fresh, got.metadata());
      assertArrayEquals(r.vector(), got.vector(), "updateMetadata must keep the vector");
      assertEquals(2, c.count());
      assertEquals(Metadata.of("old", "y"), c.get("u2").orElseThrow().metadata(), "another record changed");
      List<Match> hits = c.search(SearchRequest.of(r.vector(), 1));
      assertEquals("u1", hits.get(0).id(), "the record is still found by its vector");
      assertEquals(fresh, hits.get(0).metadata());
    }

    @Test
    @DisplayName("updateMetadata of a missing id returns false and writes nothing")
    void updateMetadataMissing() {
      requireFeature(Feature.UPDATE_METADATA);
      VectorCollection c = newCollection();
      upsertVisible(c, List.of(rec("present", Metadata.empty())));
      assertFalse(c.updateMetadata("absent", Metadata.of("k", "v")), "updateMetadata of a missing id returns false");
      settleNegative();
      assertEquals(1, c.count());
      assertTrue(c.get("absent").isEmpty(), "updateMetadata created a record");
    }
  }

  // =====================================================================================
  // Upsert
  // =====================================================================================

  /** Upsert always replaces. */
  @Nested
  @Order(3)
  @DisplayName("Upsert")
  class Upsert {

    @Test
    @DisplayName("upserting an existing id replaces its vector and metadata; old keys no longer match filters")
    void replaces() {
      VectorCollection c = newCollection();
      Record v1 = Record.of("r", vectorFor("one", DIM), Metadata.of("version", 1L, "only_v1", "yes"));
      Record v2 = Record.of("r", vectorFor("two", DIM), Metadata.of("version", 2L));
      upsertVisible(c, List.of(v1));
      upsertVisible(c, List.of(v2));
      awaitCount(c, 1);
      assertEquals(v2, c.get("r").orElseThrow());
      if (capabilities.supports(Feature.COUNT_BY_FILTER)) {
        assertEquals(0, c.count(Filter.exists("only_v1")), "metadata of the replaced record still matches");
        assertEquals(1, c.count(Filter.eq("version", 2)));
      }
      List<Match> hits = c.search(SearchRequest.of(v2.vector(), 1));
      Metric m = c.spec().metric();
      assertEquals(m.score(v2.vector(), v2.vector()), hits.get(0).score(), SCORE_TOLERANCE,
          "search scores the new vector");
    }

    @Test
    @DisplayName("upserting the same record twice keeps one record")
    void idempotent() {
      VectorCollection c = newCollection();
      List<Record> data = recs("i", 10);
      upsertVisible(c, data);
      upsertVisible(c, data);
      awaitCount(c, 10);
    }

    @Test
    @DisplayName("one batch can both replace existing records and insert new ones")
    void mixedBatch() {
      VectorCollection c = newCollection();
      List<Record> first = recs("m", 10);
      upsertVisible(c, first);
      List<Record> second = new ArrayList<>();
      for (int i = 5; i < 15; i++) {
        String id = String.format("m%04d", i);
        second.add(Record.of(id, vectorFor(id + "#2", DIM), Metadata.of("round", 2L)));
      }
      upsertVisible(c, second);
      awaitCount(c, 15);
      List<Record> expected = new ArrayList<>(first.subList(0, 5));
      expected.addAll(second);
      assertEquals(expected, c.get(ids(expected)));
    }
  }

  // =====================================================================================
  // Get and delete
  // =====================================================================================

  /** Reads and deletes by id and by filter. */
  @Nested
  @Order(4)
  @DisplayName("Get and delete")
  class GetAndDelete {

    @Test
    @DisplayName("get returns records in request order, leaves out missing ids and returns duplicates once")
    void getOrder() {
      VectorCollection c = newCollection();
      List<Record> data = recs("g", 5);
      upsertVisible(c, data);
      List<Record> got = c.get(List.of("g0003", "g0000", "nope", "g0004", "g0000", "g0003"));
      assertEquals(List.of("g0003", "g0000", "g0004"), ids(got));
      assertEquals(List.of(data.get(3), data.get(0), data.get(4)), got);
    }

    @Test
    @DisplayName("get of missing ids and of an empty list returns an empty list, no error")
    void getMissing() {
      VectorCollection c = newCollection();
      upsertVisible(c, recs("g", 2));
      assertEquals(List.of(), c.get(List.of("missing-1", "missing-2")));
      assertEquals(List.of(), c.get(List.of()));
      assertTrue(c.get("missing").isEmpty());
    }

    @Test
    @DisplayName("delete removes the records; missing ids are ignored without error; an empty list is a no-op")
    void deleteIds() {
      VectorCollection c = newCollection();
      List<Record> data = recs("x", 10);
      upsertVisible(c, data);
      c.delete(List.of("x0001", "missing", "x0003", "x0003"));
      awaitCount(c, 8);
      assertEquals(List.of(), c.get(List.of("x0001", "x0003")));
      c.delete(List.of("never-existed"));
      c.delete(List.of());
      settleNegative();
      assertEquals(8, c.count());
    }

    @Test
    @DisplayName("a deleted record is gone from get, count, search and list, and its id can be upserted again")
    void deletedIsGone() {
      VectorCollection c = newExactCollection(); // the search below must see every record
      List<Record> data = recs("y", 20);
      upsertVisible(c, data);
      Record victim = data.get(7);
      c.delete(List.of(victim.id()));
      awaitCount(c, 19);
      assertTrue(c.get(victim.id()).isEmpty());
      List<String> hits = awaitVisible(() -> searchIds(c, victim.vector(), 20, null), h -> !h.contains(victim.id()));
      assertFalse(hits.contains(victim.id()), "search still returns a deleted record");
      assertEquals(19, hits.size());
      if (capabilities.supports(Feature.LIST)) {
        assertFalse(ids(scroll(c, null, 6)).contains(victim.id()), "list still returns a deleted record");
      }
      upsertVisible(c, List.of(victim));
      awaitCount(c, 20);
      assertEquals(victim, c.get(victim.id()).orElseThrow());
    }

    @Test
    @DisplayName("delete(filter) removes exactly the matching records, however many")
    void deleteByFilter() {
      requireFeature(Feature.DELETE_BY_FILTER);
      VectorCollection c = newCollection();
      List<Record> data = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        data.add(rec(String.format("z%04d", i), Metadata.of("even", i % 2 == 0, "i", (long) i)));
      }
      upsertVisible(c, data);
      Filter f = Filter.eq("even", true).or(Filter.lt("i", 5));
      c.delete(f);
      awaitCount(c, 148);
      Set<String> expected = data.stream().filter(r -> !f.matches(r.metadata())).map(Record::id)
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(expected, new TreeSet<>(ids(c.get(ids(data)))));
    }

    @Test
    @DisplayName("delete(filter) that matches nothing deletes nothing")
    void deleteByFilterNothing() {
      requireFeature(Feature.DELETE_BY_FILTER);
      VectorCollection c = newCollection();
      upsertVisible(c, recs("n", 10));
      c.delete(Filter.eq("p", "other"));
      settleNegative();
      assertEquals(10, c.count());
    }
  }

  // =====================================================================================
  // Count
  // =====================================================================================

  /** count() and count(filter) are exact. */
  @Nested
  @Order(5)
  @DisplayName("Count")
  class Count {

    @Test
    @DisplayName("an empty collection counts 0; count follows inserts, replacements and deletes")
    void follows() {
      VectorCollection c = newCollection();
      assertEquals(0, c.count());
      upsertVisible(c, recs("c", 30));
      awaitCount(c, 30);
      upsertVisible(c, recs("c", 10));
      awaitCount(c, 30);
      c.delete(ids(recs("c", 10)));
      awaitCount(c, 20);
    }

    @Test
    @DisplayName("count(filter) is the exact number of matching records")
    void countFilter() {
      requireFeature(Feature.COUNT_BY_FILTER);
      VectorCollection c = newCollection();
      List<Record> data = recs("c", 120);
      upsertVisible(c, data);
      for (Filter f : List.of(Filter.lt("i", 40), Filter.gte("i", 100), Filter.eq("p", "c"), Filter.eq("p", "d"),
          Filter.exists("i"), Filter.not(Filter.exists("i")), Filter.in("i", 1, 2, 3, 500))) {
        long want = data.stream().filter(r -> f.matches(r.metadata())).count();
        assertEquals(want, c.count(f), "count(" + f + ")");
      }
    }
  }

  // =====================================================================================
  // List
  // =====================================================================================

  /** list() is a complete, stable scroll. */
  @Nested
  @Order(6)
  @DisplayName("List")
  class ListGroup {

    @ParameterizedTest(name = "pageSize {0}")
    @ValueSource(ints = {1, 7, 50, 10_000})
    @DisplayName("pages follow nextCursor and visit every record exactly once, with vectors and metadata")
    void complete(int pageSize) {
      requireFeature(Feature.LIST);
      VectorCollection c = newCollection();
      List<Record> data = recs("l", 73);
      upsertVisible(c, data);
      List<Record> all = scroll(c, null, pageSize);
      assertNoDuplicates(ids(all), "list()");
      assertEquals(new HashSet<>(data), new HashSet<>(all), "list() must return every record as stored");
    }

    @Test
    @DisplayName("an empty collection lists one empty page without a next cursor")
    void empty() {
      requireFeature(Feature.LIST);
      VectorCollection c = newCollection();
      Page p = c.list(ListRequest.of(10));
      assertEquals(List.of(), p.records());
      assertTrue(p.nextCursor().isEmpty(), "an empty collection has no next page");
    }

    @Test
    @DisplayName("list(filter) visits exactly the matching records, each once")
    void filtered() {
      requireFeature(Feature.LIST);
      requireFeature(Feature.LIST_BY_FILTER);
      VectorCollection c = newCollection();
      List<Record> data = recs("l", 90);
      upsertVisible(c, data);
      Filter f = Filter.lt("i", 30).or(Filter.gte("i", 85));
      List<Record> got = scroll(c, f, 8);
      assertNoDuplicates(ids(got), "list(filter)");
      assertEquals(data.stream().filter(r -> f.matches(r.metadata())).collect(Collectors.toSet()), new HashSet<>(got));
    }

    @Test
    @DisplayName("a cursor this collection did not make is rejected with InvalidArgumentException")
    void badCursor() {
      requireFeature(Feature.LIST);
      VectorCollection c = newCollection();
      List<Record> data = recs("l", 5);
      upsertVisible(c, data);
      assertRejected(InvalidArgumentException.class, c, data, List.of(),
          () -> c.list(ListRequest.of(2).cursor("not-a-cursor-\u0000-'\"")));
    }

    @Test
    @DisplayName("records that exist for the whole scroll appear exactly once while other records are written concurrently")
    void stableUnderWrites() throws Exception {
      requireFeature(Feature.LIST);
      VectorCollection c = newCollection();
      List<Record> stable = recs("s", 150);
      upsertVisible(c, stable);
      AtomicBoolean done = new AtomicBoolean();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Integer> writer = pool.submit(() -> {
          Random rnd = new Random(seed());
          int n = 0;
          while (!done.get() && n < 20_000) {
            // new ids interleave with the stable ones in id order; stable ones are rewritten in place
            String fresh = String.format("s%04d_new%d", rnd.nextInt(150), n);
            Record old = stable.get(rnd.nextInt(stable.size()));
            c.upsert(List.of(rec(fresh, Metadata.of("fresh", true)),
                Record.of(old.id(), vectorFor(old.id() + n, DIM), Metadata.of("rewritten", (long) n))));
            if (n % 3 == 0) {
              c.delete(List.of(fresh));
            }
            n++;
          }
          return n;
        });
        List<String> seen = new ArrayList<>();
        ListRequest req = ListRequest.of(9);
        Page page = c.list(req);
        int pages = 0;
        while (true) {
          page.records().forEach(r -> seen.add(r.id()));
          if (page.nextCursor().isEmpty() || ++pages > 10_000) {
            break;
          }
          Thread.sleep(1); // give the writer time between pages
          page = c.list(req.cursor(page.nextCursor().get()));
        }
        done.set(true);
        int writes = writer.get(60, TimeUnit.SECONDS);
        assertNoDuplicates(seen, "list() during concurrent writes (" + writes + " write rounds)");
        Set<String> missing = new TreeSet<>(ids(stable));
        missing.removeAll(seen);
        assertTrue(missing.isEmpty(), "records present for the whole scroll were skipped: " + missing);
      } finally {
        done.set(true);
        pool.shutdownNow();
      }
    }
  }

  // =====================================================================================
  // Search
  // =====================================================================================

  /** Search against the exact oracle. */
  @Nested
  @Order(7)
  @DisplayName("Search")
  class Search {

    @ParameterizedTest(name = "{0}")
    @EnumSource(Metric.class)
    @DisplayName("exact search returns the oracle's ids, scores and distances (to 1e-4), best first")
    void exact(Metric metric) {
      requireFeature(Feature.INDEX_FLAT);
      VectorCollection c = newCollection(metric, IndexSpec.flat(), 12);
      DatasetGenerator gen = new DatasetGenerator(seed(), ValuePool.standard());
      List<Record> data = gen.records("e", 300, 12);
      upsertVisible(c, data);
      awaitCount(c, 300);
      for (int q = 0; q < 10; q++) {
        float[] query = gen.vector(12);
        for (int k : new int[] {1, 10, 300}) {
          List<Match> got = c.search(SearchRequest.of(query, k));
          assertMatchesOracle(got, ExactOracle.search(data, query, metric, k, null), data, query, metric,
              metric + " query " + q + " topK " + k + " (seed " + seed() + ")");
        }
      }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Metric.class)
    @DisplayName("search with indexForTests() reaches recall@10 >= annRecallFloor() (1.0 for FLAT)")
    void recall(Metric metric) {
      IndexSpec index = indexForTests();
      VectorCollection c = newCollection(metric, index, 16);
      DatasetGenerator gen = new DatasetGenerator(seed() + 1, ValuePool.standard());
      List<Record> data = gen.records("a", 500, 16);
      upsertVisible(c, data);
      awaitCount(c, 500);
      double floor = index instanceof IndexSpec.Flat ? 1.0 : annRecallFloor();
      double sum = 0;
      int queries = 25;
      for (int q = 0; q < queries; q++) {
        float[] query = gen.vector(16);
        List<Match> got = c.search(SearchRequest.of(query, 10));
        assertEquals(10, got.size(), "topK 10 over 500 records");
        for (Match m : got) {
          Record r = data.get(Integer.parseInt(m.id().substring(1)));
          assertEquals(metric.score(query, r.vector()), m.score(), SCORE_TOLERANCE, "score of " + m.id());
        }
        sum += recallAt10(got, ExactOracle.search(data, query, metric, 10, null));
      }
      double recall = sum / queries;
      assertTrue(recall >= floor - 1e-9,
          "recall@10 with " + index + " under " + metric + " is " + recall + ", below the floor " + floor);
    }

    @ParameterizedTest(name = "{0}% of the records match")
    @ValueSource(ints = {50, 10, 1})
    @DisplayName("filtered search with indexForTests() keeps recall@10 >= the floor at any selectivity, and only returns matches")
    void filteredRecall(int percent) {
      requireFeature(Feature.FILTERED_SEARCH);
      IndexSpec index = indexForTests();
      VectorCollection c = newCollection(defaultMetric(), index, 16);
      Metric metric = c.spec().metric();
      DatasetGenerator gen = new DatasetGenerator(seed() + 4, ValuePool.standard());
      List<Record> data = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        data.add(Record.of(String.format("b%04d", i), gen.vector(16), Metadata.of("bucket", (long) (i % 100))));
      }
      upsertVisible(c, data);
      awaitCount(c, 500);
      Filter f = Filter.lt("bucket", percent);
      double floor = index instanceof IndexSpec.Flat ? 1.0 : annRecallFloor();
      double sum = 0;
      int queries = 20;
      for (int q = 0; q < queries; q++) {
        float[] query = gen.vector(16);
        List<Match> got = c.search(SearchRequest.of(query, 10).filter(f));
        for (Match m : got) {
          assertTrue(f.matches(data.get(Integer.parseInt(m.id().substring(1))).metadata()),
              m.id() + " does not match " + f);
        }
        List<ExactOracle.Hit> want = ExactOracle.search(data, query, metric, 10, f);
        assertEquals(want.size(), got.size(), "number of matches for " + f);
        sum += recallAt10(got, want);
      }
      double recall = sum / queries;
      assertTrue(recall >= floor - 1e-9, "filtered recall@10 with " + index + " at " + percent + "% is " + recall
          + ", below the floor " + floor);
    }

    @Test
    @DisplayName("after deleting half the records, search with indexForTests() never returns them and keeps its recall")
    void recallAfterDeletes() {
      IndexSpec index = indexForTests();
      VectorCollection c = newCollection(defaultMetric(), index, 16);
      Metric metric = c.spec().metric();
      DatasetGenerator gen = new DatasetGenerator(seed() + 5, ValuePool.standard());
      List<Record> data = gen.records("d", 400, 16);
      upsertVisible(c, data);
      List<Record> kept = new ArrayList<>();
      List<String> gone = new ArrayList<>();
      for (int i = 0; i < data.size(); i++) {
        if (i % 2 == 0) {
          gone.add(data.get(i).id());
        } else {
          kept.add(data.get(i));
        }
      }
      c.delete(gone);
      awaitCount(c, kept.size());
      Set<String> goneSet = new HashSet<>(gone);
      double floor = index instanceof IndexSpec.Flat ? 1.0 : annRecallFloor();
      double sum = 0;
      int queries = 20;
      for (int q = 0; q < queries; q++) {
        float[] query = gen.vector(16);
        List<Match> got = c.search(SearchRequest.of(query, 10));
        got.forEach(m -> assertFalse(goneSet.contains(m.id()), "search returned deleted record " + m.id()));
        sum += recallAt10(got, ExactOracle.search(kept, query, metric, 10, null));
      }
      double recall = sum / queries;
      assertTrue(recall >= floor - 1e-9, "recall@10 after deletes with " + index + " is " + recall + ", below " + floor);
    }

    @Test
    @DisplayName("topK above the record count returns every record; an empty collection returns no matches")
    void topKAboveCount() {
      VectorCollection c = newExactCollection();
      assertEquals(List.of(), c.search(SearchRequest.of(vectorFor("q", DIM), 5)));
      List<Record> data = recs("t", 12);
      upsertVisible(c, data);
      List<String> got = searchIds(c, vectorFor("q", DIM), 50, null);
      assertEquals(new TreeSet<>(ids(data)), new TreeSet<>(got));
      assertEquals(12, got.size());
    }

    @Test
    @DisplayName("minScore drops exactly the matches scoring below it")
    void minScore() {
      VectorCollection c = newExactCollection();
      List<Record> data = recs("s", 60);
      upsertVisible(c, data);
      float[] q = vectorFor("query", DIM);
      Metric m = c.spec().metric();
      List<ExactOracle.Hit> all = ExactOracle.search(data, q, m, 60, null);
      // cut in the widest gap between ranks 10 and 20, so float32 rounding cannot move a record across it
      int cut = 10;
      for (int i = 11; i < 20; i++) {
        if (all.get(i - 1).score() - all.get(i).score() > all.get(cut - 1).score() - all.get(cut).score()) {
          cut = i;
        }
      }
      double threshold = (all.get(cut - 1).score() + all.get(cut).score()) / 2;
      List<Match> got = c.search(SearchRequest.of(q, 60).minScore(threshold));
      assertEquals(cut, got.size(), "matches with score >= " + threshold);
      got.forEach(x -> assertTrue(x.score() >= threshold, x + " is below minScore"));
    }

    @Test
    @DisplayName("filtered search returns the oracle's top-k among the matching records only")
    void filtered() {
      requireFeature(Feature.FILTERED_SEARCH);
      VectorCollection c = newExactCollection();
      DatasetGenerator gen = new DatasetGenerator(seed() + 2, ValuePool.standard());
      List<Record> data = gen.records("f", 200, DIM);
      upsertVisible(c, data);
      awaitCount(c, 200);
      FilterGenerator fg = new FilterGenerator(seed() + 3, ValuePool.standard());
      for (int i = 0; i < 30; i++) {
        Filter f = fg.next();
        float[] q = gen.vector(DIM);
        List<Match> got = c.search(SearchRequest.of(q, 10).filter(f));
        assertMatchesOracle(got, ExactOracle.search(data, q, c.spec().metric(), 10, f), data, q, c.spec().metric(),
            "filter " + f + " (seed " + seed() + ")");
      }
    }

    @Test
    @DisplayName("matches carry metadata by default, none with includeMetadata(false), and no vector unless asked")
    void includeMetadata() {
      VectorCollection c = newCollection();
      List<Record> data = recs("m", 5);
      upsertVisible(c, data);
      for (Match m : c.search(SearchRequest.of(data.get(0).vector(), 5))) {
        assertEquals(data.get(Integer.parseInt(m.id().substring(1))).metadata(), m.metadata());
        assertTrue(m.vector().isEmpty(), "vector returned though not requested");
      }
      for (Match m : c.search(SearchRequest.of(data.get(0).vector(), 5).includeMetadata(false))) {
        assertEquals(Metadata.empty(), m.metadata(), "metadata returned though includeMetadata(false)");
      }
    }

    @Test
    @DisplayName("includeVectors(true) returns each match's stored vector exactly")
    void includeVectors() {
      requireFeature(Feature.SEARCH_INCLUDE_VECTORS);
      VectorCollection c = newCollection();
      List<Record> data = recs("v", 8);
      upsertVisible(c, data);
      List<Match> got = c.search(SearchRequest.of(data.get(3).vector(), 8).includeVectors(true));
      assertEquals(8, got.size());
      for (Match m : got) {
        float[] want = data.get(Integer.parseInt(m.id().substring(1))).vector();
        assertArrayEquals(want, m.vector().orElseThrow(() -> new AssertionError("no vector on " + m)));
      }
    }

    @Test
    @DisplayName("the ef hint is accepted and search stays correct")
    void efHint() {
      requireFeature(Feature.SEARCH_EF);
      VectorCollection c = newCollection();
      List<Record> data = recs("h", 50);
      upsertVisible(c, data);
      List<Match> got = c.search(SearchRequest.of(data.get(5).vector(), 5).ef(64));
      assertEquals("h0005", got.get(0).id());
    }

    @Test
    @DisplayName("the nprobe hint is accepted and search stays correct")
    void nprobeHint() {
      requireFeature(Feature.SEARCH_NPROBE);
      VectorCollection c = newCollection();
      List<Record> data = recs("h", 50);
      upsertVisible(c, data);
      List<Match> got = c.search(SearchRequest.of(data.get(5).vector(), 5).nprobe(4));
      assertEquals("h0005", got.get(0).id());
    }
  }

  // =====================================================================================
  // Scores
  // =====================================================================================

  /** The score and distance formulas of DESIGN §3, on hand-computed vectors. */
  @Nested
  @Order(8)
  @DisplayName("Scores")
  class Scores {

    private float[] v(float... head) {
      float[] out = new float[DIM];
      System.arraycopy(head, 0, out, 0, head.length);
      return out;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Metric.class)
    @DisplayName("score and distance equal the formulas on hand-computed vectors, and distance == distanceFromScore(score)")
    void formulas(Metric metric) {
      VectorCollection c = newCollection(metric, exactIndex(), DIM);
      Map<String, double[]> expected = new LinkedHashMap<>(); // id -> {score, distance}
      float[] q;
      List<Record> data = new ArrayList<>();
      switch (metric) {
        case COSINE -> {
          q = v(1, 0);
          data.add(Record.of("same", v(2, 0)));
          data.add(Record.of("orth", v(0, 3)));
          data.add(Record.of("opp", v(-1, 0)));
          data.add(Record.of("diag", v(1, 1)));
          expected.put("same", new double[] {1, 0});
          expected.put("diag", new double[] {Math.sqrt(0.5), 1 - Math.sqrt(0.5)});
          expected.put("orth", new double[] {0, 1});
          expected.put("opp", new double[] {-1, 2});
        }
        case DOT_PRODUCT -> {
          q = v(1, 2);
          data.add(Record.of("a", v(3, 4)));
          data.add(Record.of("b", v(0.5f, 0.5f)));
          data.add(Record.of("c", v(-1, 0)));
          data.add(Record.of("d", v(0, -3)));
          expected.put("a", new double[] {11, -11});
          expected.put("b", new double[] {1.5, -1.5});
          expected.put("c", new double[] {-1, 1});
          expected.put("d", new double[] {-6, 6});
        }
        default -> {
          // shifted off the origin so backends without ZERO_VECTORS are measured too
          q = v(1, 1);
          data.add(Record.of("zero", v(1, 1)));
          data.add(Record.of("one", v(2, 1)));
          data.add(Record.of("five", v(4, 5)));
          data.add(Record.of("ten", v(1, -5, 8)));
          expected.put("zero", new double[] {1, 0});
          expected.put("one", new double[] {0.5, 1});
          expected.put("five", new double[] {1.0 / 6, 5});
          expected.put("ten", new double[] {1.0 / 11, 10});
        }
      }
      upsertVisible(c, data);
      List<Match> got = c.search(SearchRequest.of(q, 10));
      assertEquals(List.copyOf(expected.keySet()), got.stream().map(Match::id).toList(), "order, best first");
      for (Match m : got) {
        double[] sd = expected.get(m.id());
        assertEquals(sd[0], m.score(), SCORE_TOLERANCE, "score of " + m.id());
        assertEquals(sd[1], m.distance(), SCORE_TOLERANCE, "distance of " + m.id());
        assertEquals(metric.distanceFromScore(m.score()), m.distance(), SCORE_TOLERANCE, "distance vs score of " + m.id());
      }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Metric.class)
    @DisplayName("matches with equal scores are ordered by id")
    void tiesById(Metric metric) {
      VectorCollection c = newCollection(metric, exactIndex(), DIM);
      float[] same = vectorFor("tie", DIM);
      List<Record> data = new ArrayList<>();
      for (String id : List.of("t3", "t1", "t5", "t2", "t4")) {
        data.add(Record.of(id, same));
      }
      float[] opposite = same.clone();
      for (int i = 0; i < opposite.length; i++) {
        opposite[i] = -opposite[i]; // worse than the ties under every metric
      }
      data.add(Record.of("far", opposite));
      upsertVisible(c, data);
      List<String> got = searchIds(c, same, 5, null);
      assertEquals(List.of("t1", "t2", "t3", "t4", "t5"), got, "ties are broken by id");
    }
  }

  // =====================================================================================
  // Filters (hand-written)
  // =====================================================================================

  /** The hand-written table of {@link FilterCases}. */
  @Nested
  @Order(9)
  @DisplayName("Filters (hand-written)")
  class HandWrittenFilters {

    @TestFactory
    @DisplayName("each filter matches the listed ids in the reference evaluator, count, list and search")
    Stream<DynamicNode> table() {
      return cases(FilterCases.dataset(), FilterCases.cases());
    }

    @TestFactory
    @DisplayName("longs beyond 2^53 compare exactly (needs EXACT_LONGS)")
    Stream<DynamicNode> exactLongs() {
      requireFeature(Feature.EXACT_LONGS);
      return cases(FilterCases.exactLongDataset(), FilterCases.exactLongCases());
    }

    private Stream<DynamicNode> cases(Map<String, Metadata> data, List<FilterCases.Case> cases) {
      VectorCollection c = newExactCollection();
      List<Record> records = new ArrayList<>();
      data.forEach((id, m) -> records.add(rec(id, m)));
      upsertVisible(c, records);
      awaitCount(c, records.size());
      boolean count = capabilities.supports(Feature.COUNT_BY_FILTER);
      boolean list = capabilities.supports(Feature.LIST) && capabilities.supports(Feature.LIST_BY_FILTER);
      boolean search = capabilities.supports(Feature.FILTERED_SEARCH);
      List<DynamicNode> nodes = new ArrayList<>();
      for (Feature f : List.of(Feature.COUNT_BY_FILTER, Feature.LIST, Feature.LIST_BY_FILTER, Feature.FILTERED_SEARCH)) {
        if (!capabilities.supports(f)) {
          nodes.add(dynamicTest("the backend side of every case needing " + f, () -> requireFeature(f)));
        }
      }
      float[] q = vectorFor("query", DIM);
      int i = 0;
      for (FilterCases.Case fc : cases) {
        String name = String.format("#%03d %s  →  %s", ++i, fc.filter(),
            fc.expected().isEmpty() ? "none" : fc.expected().size() == data.size() ? "all" : fc.expected());
        nodes.add(dynamicTest(name, () -> {
          Filter f = Filter.parse(fc.filter());
          assertEquals(f, Filter.parse(f.toString()), "the filter does not round-trip through " + f);
          Set<String> ref = expectedIds(data, f);
          assertEquals(fc.expected(), ref, "the table and the reference evaluator disagree on " + fc.filter());
          List<String> errors = new ArrayList<>();
          if (count) {
            long n = c.count(f);
            if (n != fc.expected().size()) {
              errors.add("count(filter) = " + n + ", expected " + fc.expected().size());
            }
          }
          if (list) {
            List<String> got = ids(scroll(c, f, 5));
            if (!new HashSet<>(got).equals(fc.expected()) || got.size() != fc.expected().size()) {
              errors.add("list(filter):" + diff(fc.expected(), got, data));
            }
          }
          if (search) {
            List<String> got = searchIds(c, q, data.size(), f);
            if (!new HashSet<>(got).equals(fc.expected()) || got.size() != fc.expected().size()) {
              errors.add("search(filter):" + diff(fc.expected(), got, data));
            }
          }
          if (!errors.isEmpty()) {
            fail("filter " + fc.filter() + " → " + String.join("; ", errors));
          }
        }));
      }
      return nodes.stream();
    }
  }

  // =====================================================================================
  // Filters (generated)
  // =====================================================================================

  /** Random filters over random data, compared record by record with the reference evaluator. */
  @Nested
  @Order(10)
  @DisplayName("Filters (generated)")
  class GeneratedFilters {

    @TestFactory
    @DisplayName(GENERATED_FILTERS + " seeded random filters agree with the reference evaluator")
    Stream<DynamicTest> generated() {
      long seed = seed();
      System.out.println("Quiver conformance kit: generated filters use seed " + seed + " (rerun with -D"
          + SEED_PROPERTY + "=" + seed + ")");
      ValuePool pool = capabilities.supports(Feature.EXACT_LONGS) ? ValuePool.withExactLongs() : ValuePool.standard();
      List<Record> data = new DatasetGenerator(seed, pool).records("r", 200, DIM);
      Map<String, Metadata> meta = new LinkedHashMap<>();
      data.forEach(r -> meta.put(r.id(), r.metadata()));
      List<Filter> filters = new FilterGenerator(seed ^ 0x5DEECE66DL, pool).next(GENERATED_FILTERS);
      VectorCollection c = newExactCollection();
      upsertVisible(c, data);
      awaitCount(c, data.size());
      float[] q = vectorFor("query", DIM);
      return Stream.of(
          dynamicTest("every generated filter round-trips through its text form", () -> {
            for (Filter f : filters) {
              assertEquals(f, Filter.parse(f.toString()), "seed " + seed + ": " + f);
            }
          }),
          dynamicTest("count(filter)", () -> {
            requireFeature(Feature.COUNT_BY_FILTER);
            compareAll(seed, "count", filters, meta, f -> {
              long n = c.count(f);
              Set<String> want = expectedIds(meta, f);
              return n == want.size() ? null : " count(filter) = " + n + ", expected " + want.size();
            });
          }),
          dynamicTest("list(filter)", () -> {
            requireFeature(Feature.LIST);
            requireFeature(Feature.LIST_BY_FILTER);
            compareAll(seed, "list", filters, meta, f -> check(expectedIds(meta, f), ids(scroll(c, f, 50)), meta));
          }),
          dynamicTest("search(filter) with topK = all", () -> {
            requireFeature(Feature.FILTERED_SEARCH);
            compareAll(seed, "search", filters, meta,
                f -> check(expectedIds(meta, f), searchIds(c, q, data.size(), f), meta));
          }),
          dynamicTest("delete(filter) on a fresh copy of 60 records (" + GENERATED_DELETE_FILTERS + " filters)", () -> {
            requireFeature(Feature.DELETE_BY_FILTER);
            List<Record> small = data.subList(0, 60);
            List<String> smallIds = ids(small);
            Map<String, Metadata> smallMeta = new LinkedHashMap<>();
            small.forEach(r -> smallMeta.put(r.id(), r.metadata()));
            VectorCollection d = newExactCollection();
            compareAll(seed, "delete", filters.subList(0, GENERATED_DELETE_FILTERS), smallMeta, f -> {
              upsertVisible(d, small);
              awaitCount(d, small.size());
              d.delete(f);
              Set<String> remain = new TreeSet<>(smallIds);
              remain.removeAll(expectedIds(smallMeta, f));
              List<String> got = awaitVisible(() -> ids(d.get(smallIds)), g -> new HashSet<>(g).equals(remain));
              String problem = check(remain, got, smallMeta);
              return problem == null ? null : " ids remaining after delete(filter):" + problem;
            });
          }));
    }

    private String check(Set<String> want, List<String> got, Map<String, Metadata> meta) {
      return new HashSet<>(got).equals(want) && got.size() == want.size() ? null : diff(want, got, meta);
    }

    private void compareAll(long seed, String op, List<Filter> filters, Map<String, Metadata> meta,
        java.util.function.Function<Filter, String> check) {
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < filters.size(); i++) {
        Filter f = filters.get(i);
        String problem;
        try {
          problem = check.apply(f);
        } catch (RuntimeException e) {
          problem = "threw " + e;
        }
        if (problem != null) {
          failures.add("#" + i + " " + f + " →" + problem);
        }
      }
      if (!failures.isEmpty()) {
        failures.forEach(s -> System.out.println("Quiver kit " + op + " (seed " + seed + "): " + s));
        fail(failures.size() + " of " + filters.size() + " generated filters disagree with the reference evaluator in "
            + op + " (seed " + seed + ", rerun with -D" + SEED_PROPERTY + "=" + seed + "); first: "
            + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
      }
    }
  }

  // =====================================================================================
  // Bad input
  // =====================================================================================

  /** Every operation rejects bad input with a typed error, writes nothing, and leaves the store usable. */
  @Nested
  @Order(11)
  @DisplayName("Bad input")
  class BadInput {

    private List<Record> nineGoodAnd(Record bad) {
      List<Record> batch = new ArrayList<>(recs("new", 9));
      batch.add(4, bad);
      return batch;
    }

    @Test
    @DisplayName("upsert with a wrong-dimension vector throws DimensionMismatchException and writes none of the batch")
    void wrongDimensionUpsert() {
      VectorCollection c = newCollection();
      List<Record> before = recs("old", 3);
      upsertVisible(c, before);
      Record bad = Record.of("bad", vectorFor("bad", DIM + 1));
      List<Record> batch = nineGoodAnd(bad);
      DimensionMismatchException e = assertRejected(DimensionMismatchException.class, c, before, ids(batch),
          () -> c.upsert(batch));
      assertEquals(DIM, e.expected());
      assertEquals(DIM + 1, e.actual());
    }

    @Test
    @DisplayName("search with a wrong-dimension query throws DimensionMismatchException")
    void wrongDimensionSearch() {
      VectorCollection c = newCollection();
      List<Record> before = recs("old", 3);
      upsertVisible(c, before);
      assertRejected(DimensionMismatchException.class, c, before, List.of(),
          () -> c.search(SearchRequest.of(vectorFor("q", DIM - 1), 3)));
      assertRejected(DimensionMismatchException.class, c, before, List.of(),
          () -> c.search(SearchRequest.of(vectorFor("q", DIM * 2), 3)));
    }

    @Test
    @DisplayName("NaN and infinite vector values are rejected with InvalidArgumentException by Record.of and SearchRequest.of")
    void nonFinite() {
      for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
        float[] v = vectorFor("x", DIM);
        v[3] = bad;
        assertThrows(InvalidArgumentException.class, () -> Record.of("x", v));
        assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(v, 3));
      }
      assertThrows(InvalidArgumentException.class, () -> Record.of("x", new float[0]));
      VectorCollection c = newCollection();
      assertStillUsable(c);
    }

    @Test
    @DisplayName("empty ids and ids over 512 UTF-8 bytes are rejected; an id of exactly 512 bytes is stored")
    void idRules() {
      float[] v = vectorFor("x", DIM);
      assertThrows(InvalidArgumentException.class, () -> Record.of("", v));
      assertThrows(InvalidArgumentException.class, () -> Record.of(null, v));
      assertThrows(InvalidArgumentException.class, () -> Record.of("x".repeat(513), v));
      assertThrows(InvalidArgumentException.class, () -> Record.of("é".repeat(257), v)); // 514 bytes, 257 chars
      assertThrows(InvalidArgumentException.class, () -> Record.of("a\uD800b", v)); // unpaired surrogate
      String ascii = "x".repeat(512);
      String emoji = "🙂".repeat(128);
      assertEquals(512, emoji.getBytes(StandardCharsets.UTF_8).length);
      VectorCollection c = newCollection();
      List<Record> data = List.of(Record.of(ascii, v), Record.of(emoji, vectorFor(emoji, DIM)));
      upsertVisible(c, data);
      assertEquals(data, c.get(List.of(ascii, emoji)));
      assertStillUsable(c);
    }

    @Test
    @DisplayName("a batch with a duplicate id throws InvalidArgumentException and writes nothing")
    void duplicateIds() {
      VectorCollection c = newCollection();
      List<Record> before = recs("old", 3);
      upsertVisible(c, before);
      Record dup = Record.of("new0002", vectorFor("other", DIM));
      List<Record> batch = nineGoodAnd(dup);
      assertRejected(InvalidArgumentException.class, c, before, ids(batch), () -> c.upsert(batch));
    }

    @Test
    @DisplayName("a zero vector under COSINE is rejected with InvalidArgumentException on upsert and search")
    void zeroCosine() {
      VectorCollection c = newCollection(Metric.COSINE, indexForTests(), DIM);
      List<Record> before = recs("old", 3);
      upsertVisible(c, before);
      Record zero = Record.of("zero", new float[DIM]);
      List<Record> batch = nineGoodAnd(zero);
      assertRejected(InvalidArgumentException.class, c, before, ids(batch), () -> c.upsert(batch));
      assertRejected(InvalidArgumentException.class, c, before, List.of(),
          () -> c.search(SearchRequest.of(new float[DIM], 3)));
    }

    @Test
    @DisplayName("a handle on a dropped collection throws CollectionNotFoundException on every operation")
    void droppedHandle() {
      VectorCollection c = newCollection();
      upsertVisible(c, recs("d", 3));
      assertTrue(store.dropCollection(c.name()));
      awaitVisible(() -> store.hasCollection(c.name()), v -> !v);
      Filter f = Filter.exists("i");
      List<Executable> ops = new ArrayList<>(List.of(
          () -> c.upsert(List.of(rec("z", Metadata.empty()))),
          () -> c.get(List.of("d0000")),
          () -> c.delete(List.of("d0000")),
          c::count,
          () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3))));
      if (capabilities.supports(Feature.LIST)) {
        ops.add(() -> c.list(ListRequest.of(5)));
      }
      if (capabilities.supports(Feature.COUNT_BY_FILTER)) {
        ops.add(() -> c.count(f));
      }
      if (capabilities.supports(Feature.DELETE_BY_FILTER)) {
        ops.add(() -> c.delete(f));
      }
      if (capabilities.supports(Feature.UPDATE_METADATA)) {
        ops.add(() -> c.updateMetadata("d0000", Metadata.empty()));
      }
      for (int i = 0; i < ops.size(); i++) {
        assertThrows(CollectionNotFoundException.class, ops.get(i), "operation #" + i + " on a dropped collection");
      }
      assertFalse(store.hasCollection(c.name()), "an operation on a dropped handle re-created the collection");
      assertStillUsable(newCollection());
    }

    @Test
    @DisplayName("topK below 1 is rejected with InvalidArgumentException")
    void topK() {
      float[] v = vectorFor("q", DIM);
      assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(v, 0));
      assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(v, -1));
      assertThrows(InvalidArgumentException.class, () -> ListRequest.of(0));
      assertThrows(InvalidArgumentException.class, () -> ListRequest.of(ListRequest.MAX_PAGE_SIZE + 1));
      VectorCollection c = newCollection();
      assertStillUsable(c);
    }

    @Test
    @DisplayName("malformed filter text throws InvalidFilterException with the position of the error")
    void malformedFilters() {
      Map<String, Integer> cases = new LinkedHashMap<>();
      cases.put("", 0);
      cases.put("   ", 0);
      cases.put("s ==", 4);
      cases.put("s = 1", 2);
      cases.put("s == 'abc", 5);
      cases.put("(s == 1", 7);
      cases.put("s == 1)", 6);
      cases.put("s in []", 6);
      cases.put("s > 'a'", 4);
      cases.put("and == 1", 0);
      cases.put("s == 1 and", 10);
      cases.put("s == 1 or or s == 2", 10);
      cases.put("s == @", 5);
      cases.put("exists(and)", 7);
      cases.put("s == 12abc", 5);
      cases.put("s == 99999999999999999999", 5);
      cases.put("s == 'a\\q'", 7);
      cases.put("not", 3);
      cases.put("s not 1", 6);
      cases.put("s == 1 s == 2", 7);
      cases.put("s == true and", 13);
      cases.put("ünï == 1", 0);
      for (Map.Entry<String, Integer> e : cases.entrySet()) {
        InvalidFilterException ex = assertThrows(InvalidFilterException.class, () -> Filter.parse(e.getKey()),
            "Filter.parse(\"" + e.getKey() + "\")");
        assertEquals(e.getValue(), ex.position(), "position for \"" + e.getKey() + "\": " + ex.getMessage());
        assertThrows(InvalidFilterException.class, () -> SearchRequest.of(vectorFor("q", DIM), 1).filter(e.getKey()));
        assertThrows(InvalidFilterException.class, () -> ListRequest.of(1).filter(e.getKey()));
      }
      assertThrows(InvalidFilterException.class, () -> Filter.eq("s", new Object()));
      assertThrows(InvalidFilterException.class, () -> Filter.eq("s", null));
      assertThrows(InvalidFilterException.class, () -> Filter.eq("bad-field", 1));
      assertThrows(InvalidFilterException.class, () -> Filter.in("s"));
      assertThrows(InvalidFilterException.class, () -> Filter.gt("s", Double.NaN));
      assertStillUsable(newCollection());
    }

    @Test
    @DisplayName("invalid collection names are rejected with InvalidArgumentException and never reach the backend")
    void collectionNames() {
      for (String bad : List.of("", "1abc", "a b", "../x", "a/b", "x".repeat(256), "kit.x", "ünï", "-a", "_a")) {
        assertThrows(InvalidArgumentException.class, () -> CollectionSpec.builder(bad).dimension(DIM).build(),
            "name '" + bad + "'");
        boolean exists;
        try {
          exists = store.hasCollection(bad);
        } catch (InvalidArgumentException e) {
          exists = false; // rejecting the name outright is fine
        }
        assertFalse(exists, "hasCollection('" + bad + "')");
        String name = bad;
        RuntimeException e = assertThrows(RuntimeException.class, () -> store.collection(name));
        assertTrue(e instanceof InvalidArgumentException || e instanceof CollectionNotFoundException,
            "store.collection('" + bad + "') threw " + e);
      }
      assertThrows(InvalidArgumentException.class, () -> CollectionSpec.builder("ok").dimension(0).build());
      assertThrows(InvalidArgumentException.class, () -> CollectionSpec.builder("ok").dimension(-3).build());
      assertStillUsable(newCollection());
    }

    @Test
    @DisplayName("metadata of unsupported types, bad keys and non-finite numbers are rejected with InvalidArgumentException")
    void badMetadata() {
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", new Object()));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", null));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", List.of(1, 2)));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", Map.of("a", "b")));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", new java.math.BigDecimal("1.5")));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", Double.NaN));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", Double.POSITIVE_INFINITY));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("bad-key", 1));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("and", 1));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("1k", 1));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", 1, "k", 2));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k"));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k".repeat(Metadata.MAX_KEY_LENGTH + 1), 1));
      assertStillUsable(newCollection());
    }

    @Test
    @DisplayName("a record whose long the backend cannot hold exactly is rejected at write time, nothing written")
    void inexactLong() {
      Assumptions.assumeFalse(capabilities.supports(Feature.EXACT_LONGS),
          "the backend stores longs exactly; see Records › longs beyond ±2^53");
      VectorCollection c = newCollection();
      List<Record> before = recs("old", 3);
      upsertVisible(c, before);
      List<Record> batch = nineGoodAnd(rec("big", Metadata.of("n", ValuePool.TWO_POW_53_PLUS_1)));
      assertRejected(UnsupportedFeatureException.class, c, before, ids(batch), () -> c.upsert(batch));
    }
  }

  // =====================================================================================
  // Unicode and quotes
  // =====================================================================================

  /** Ids and values with quotes, backslashes and non-ASCII characters survive every operation unchanged. */
  @Nested
  @Order(12)
  @DisplayName("Unicode and quotes")
  class UnicodeAndQuotes {

    private final List<String> nastyIds = List.of("ünï-cödé", "日本語", "🙂", "it's", "say \"hi\"", "back\\slash",
        "a b", "a/b/../c", "') or true or ('", "%_*", "tab\tid", "line\nid", "Case", "case", "\u00e9", "e\u0301",
        "-1", "0x1", "null", "   ", "?q=1&r=2#f");

    @Test
    @DisplayName("ids with unicode, quotes, backslashes, spaces and slashes survive upsert, get, search, list and delete")
    void nastyIds() {
      VectorCollection c = newCollection();
      List<Record> data = new ArrayList<>();
      for (String id : nastyIds) {
        data.add(rec(id, Metadata.of("id", id)));
      }
      upsertVisible(c, data);
      awaitCount(c, data.size());
      assertEquals(data, c.get(nastyIds), "get returns every nasty id, exactly");
      for (Record r : data) {
        List<Match> hits = c.search(SearchRequest.of(r.vector(), 1));
        assertEquals(r.id(), hits.get(0).id(), "search finds the record by its own vector");
      }
      if (capabilities.supports(Feature.LIST)) {
        assertEquals(new TreeSet<>(nastyIds), new TreeSet<>(VectorStoreConformanceKit.ids(scroll(c, null, 4))));
      }
      List<String> half = nastyIds.subList(0, nastyIds.size() / 2);
      c.delete(half);
      awaitCount(c, nastyIds.size() - half.size());
      assertEquals(nastyIds.subList(half.size(), nastyIds.size()), VectorStoreConformanceKit.ids(c.get(nastyIds)));
    }

    @Test
    @DisplayName("string values with quotes, backslashes and unicode round-trip and match only themselves")
    void nastyValues() {
      VectorCollection c = newExactCollection();
      List<Record> data = new ArrayList<>();
      for (int i = 0; i < nastyIds.size(); i++) {
        data.add(rec("v" + i, Metadata.of("s", nastyIds.get(i), "list", List.of(nastyIds.get(i), "plain"))));
      }
      upsertVisible(c, data);
      assertEquals(data, c.get(VectorStoreConformanceKit.ids(data)));
      for (int i = 0; i < data.size(); i++) {
        String value = nastyIds.get(i);
        Filter f = Filter.parse(Filter.eq("s", value).toString()); // through the text form, escapes and all
        assertEquals(Filter.eq("s", value), f);
        if (capabilities.supports(Feature.COUNT_BY_FILTER)) {
          assertEquals(1, c.count(f), "count(" + f + ")");
          assertEquals(1, c.count(Filter.eq("list", value)), "count(list == " + value + ")");
        }
        if (capabilities.supports(Feature.FILTERED_SEARCH)) {
          assertEquals(List.of("v" + i), searchIds(c, vectorFor("q", DIM), data.size(), f), "search " + f);
        }
      }
    }

    @Test
    @DisplayName("a quote-laden value can never widen a tenant filter (no injection)")
    void noInjection() {
      VectorCollection c = newExactCollection();
      List<Record> data = List.of(rec("a1", Metadata.of("tenant", "acme", "s", "x")),
          rec("a2", Metadata.of("tenant", "acme", "s", "y")), rec("o1", Metadata.of("tenant", "other", "s", "x")));
      upsertVisible(c, data);
      for (String evil : List.of("') or true or ('", "\" or 1==1 or \"", "x' || '1'=='1", "\\' or true or \\'",
          "x\" or tenant != \"", "x') or (tenant == 'other", "%", "*", "x\\", "' OR ''='")) {
        Filter f = Filter.eq("tenant", "acme").and(Filter.eq("s", evil));
        if (capabilities.supports(Feature.COUNT_BY_FILTER)) {
          assertEquals(0, c.count(f), "count(" + f + ")");
        }
        if (capabilities.supports(Feature.FILTERED_SEARCH)) {
          assertEquals(List.of(), searchIds(c, vectorFor("q", DIM), 3, f), "search " + f);
        }
        if (capabilities.supports(Feature.LIST) && capabilities.supports(Feature.LIST_BY_FILTER)) {
          assertEquals(List.of(), scroll(c, f, 5), "list " + f);
        }
        if (capabilities.supports(Feature.DELETE_BY_FILTER)) {
          c.delete(f);
        }
      }
      settleNegative();
      assertEquals(3, c.count(), "a filter with a quote-laden value deleted records");
    }
  }

  // =====================================================================================
  // Concurrency
  // =====================================================================================

  /** Parallel writers and readers lose nothing. */
  @Nested
  @Order(13)
  @DisplayName("Concurrency")
  class Concurrency {

    @Test
    @DisplayName("writers upserting disjoint id ranges while readers search, get and count lose nothing")
    void writersAndReaders() throws Exception {
      VectorCollection c = newCollection();
      int writers = 4;
      int perWriter = 80;
      ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      AtomicBoolean done = new AtomicBoolean();
      CountDownLatch start = new CountDownLatch(1);
      try {
        List<Future<?>> writing = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          List<Record> mine = recs("w" + w + "_", perWriter);
          writing.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < mine.size(); i += 10) {
              c.upsert(mine.subList(i, Math.min(i + 10, mine.size())));
            }
            return null;
          }));
        }
        for (int r = 0; r < 2; r++) {
          pool.submit(() -> {
            try {
              start.await();
              while (!done.get()) {
                List<Match> hits = c.search(SearchRequest.of(vectorFor("q", DIM), 10));
                for (int i = 1; i < hits.size(); i++) {
                  if (hits.get(i - 1).score() < hits.get(i).score() - 1e-6) {
                    throw new AssertionError("search not best first during writes: " + hits);
                  }
                }
                assertNoDuplicates(hits.stream().map(Match::id).toList(), "search during writes");
                long n = c.count();
                if (n < 0 || n > (long) writers * perWriter) {
                  throw new AssertionError("count() during writes is " + n);
                }
                c.get(List.of("w0_0000", "w1_0040", "missing"));
              }
            } catch (Throwable t) {
              errors.add(t);
            }
            return null;
          });
        }
        start.countDown();
        for (Future<?> f : writing) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        done.set(true);
        pool.shutdown();
        assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "readers did not stop");
      }
      assertTrue(errors.isEmpty(), "readers failed during concurrent writes: " + errors);
      int total = writers * perWriter;
      awaitCount(c, total);
      List<String> all = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        all.addAll(VectorStoreConformanceKit.ids(recs("w" + w + "_", perWriter)));
      }
      List<Record> got = c.get(all);
      assertEquals(all, VectorStoreConformanceKit.ids(got), "get shows every record exactly once");
      if (capabilities.supports(Feature.LIST)) {
        List<String> listed = VectorStoreConformanceKit.ids(scroll(c, null, 37));
        assertNoDuplicates(listed, "list() after concurrent writes");
        assertEquals(new TreeSet<>(all), new TreeSet<>(listed));
      }
    }

    @Test
    @DisplayName("concurrent upserts of the same ids leave one record per id, equal to one of the versions written")
    void sameIds() throws Exception {
      VectorCollection c = newCollection();
      int threads = 4;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      Map<String, Set<Record>> versions = new HashMap<>();
      try {
        List<Future<?>> fs = new ArrayList<>();
        List<List<Record>> batches = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          List<Record> batch = new ArrayList<>();
          for (int i = 0; i < 40; i++) {
            String id = "same" + i;
            Record r = Record.of(id, vectorFor(id + "/" + t, DIM), Metadata.of("writer", (long) t));
            batch.add(r);
            versions.computeIfAbsent(id, k -> new HashSet<>()).add(r);
          }
          batches.add(batch);
        }
        CountDownLatch start = new CountDownLatch(1);
        for (List<Record> batch : batches) {
          fs.add(pool.submit(() -> {
            start.await();
            for (Record r : batch) {
              c.upsert(List.of(r));
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : fs) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      awaitCount(c, 40);
      for (Record r : c.get(List.copyOf(versions.keySet()))) {
        assertTrue(versions.get(r.id()).contains(r), "record " + r + " is none of the versions written (torn write?)");
      }
    }
  }

  // =====================================================================================
  // Capability gating
  // =====================================================================================

  /** What a backend declares unsupported throws UnsupportedFeatureException; what it declares works. */
  @Nested
  @Order(14)
  @DisplayName("Capability gating")
  class CapabilityGating {

    @Test
    @DisplayName("capabilities name the backend, cover every feature, and give a reason for each unsupported one")
    void declared() {
      assertFalse(capabilities.backend().isBlank());
      assertEquals(Feature.values().length, capabilities.entries().size());
      for (Capabilities.Entry e : capabilities.entries()) {
        if (e.support() == Capabilities.Support.UNSUPPORTED) {
          assertFalse(e.note().isBlank(), e.feature() + " is unsupported without a reason");
        }
        if (e.support() == Capabilities.Support.EMULATED) {
          assertFalse(e.note().isBlank(), e.feature() + " is emulated without saying how");
        }
      }
      assertTrue(capabilities.maxTopK() >= 1);
      assertTrue(capabilities.maxDimension() >= DIM);
    }

    @TestFactory
    @DisplayName("each feature: declared unsupported → UnsupportedFeatureException before any write; declared supported → works")
    Stream<DynamicTest> features() {
      List<DynamicTest> tests = new ArrayList<>();
      for (Feature f : Feature.values()) {
        Capabilities.Entry e = capabilities.entry(f);
        String name = f + " (" + e.support() + (e.note().isEmpty() ? "" : ": " + e.note()) + ")";
        tests.add(dynamicTest(name, () -> checkFeature(f)));
      }
      return tests.stream();
    }

    private void checkFeature(Feature f) {
      boolean supported = capabilities.supports(f);
      if (f == Feature.DURABILITY) {
        checkDurability();
        return;
      }
      Metric metric = defaultMetric();
      switch (f) {
        case INDEX_FLAT, INDEX_HNSW, INDEX_IVF_FLAT, INDEX_IVF_PQ, METRIC_COSINE, METRIC_DOT_PRODUCT, METRIC_EUCLIDEAN -> {
          IndexSpec index = switch (f) {
            case INDEX_FLAT -> IndexSpec.flat();
            case INDEX_HNSW -> IndexSpec.hnsw(16, 64);
            case INDEX_IVF_FLAT -> IndexSpec.ivfFlat(4);
            case INDEX_IVF_PQ -> IndexSpec.ivfPq(4, 4, 4); // 16 codes per subspace: trainable on 64 records
            default -> capabilities.supports(Feature.INDEX_FLAT) ? IndexSpec.flat() : indexForTests();
          };
          Metric m = switch (f) {
            case METRIC_COSINE -> Metric.COSINE;
            case METRIC_DOT_PRODUCT -> Metric.DOT_PRODUCT;
            case METRIC_EUCLIDEAN -> Metric.EUCLIDEAN;
            default -> metric;
          };
          CollectionSpec spec = CollectionSpec.builder(uniqueName()).dimension(DIM).metric(m).index(index).build();
          createdCollections.add(spec.name());
          if (supported) {
            if (!capabilities.supports(index.feature()) || !capabilities.supports(Feature.of(m))) {
              Assumptions.abort("the other half of the spec (" + m + ", " + index + ") is unsupported");
            }
            VectorCollection c = store.createCollection(spec);
            List<Record> data = recs("c", 64);
            upsertVisible(c, data);
            float[] q = data.get(3).vector();
            List<Match> got = c.search(SearchRequest.of(q, 1));
            assertEquals(1, got.size(), "search on a " + spec + " collection");
            if (index instanceof IndexSpec.Flat) {
              assertEquals(ExactOracle.search(data, q, m, 1, null).get(0).id(), got.get(0).id());
            }
          } else {
            assertUnsupported(f, () -> store.createCollection(spec));
            settleNegative();
            assertFalse(store.hasCollection(spec.name()), "an unsupported spec still created the collection");
          }
        }
        default -> {
          // zero vectors are never valid under COSINE, so that feature is checked under EUCLIDEAN
          VectorCollection c = f == Feature.ZERO_VECTORS ? newCollection(Metric.EUCLIDEAN, indexForTests(), DIM)
              : newCollection();
          List<Record> before = recs("c", 10);
          upsertVisible(c, before);
          Executable op = switch (f) {
            case DELETE_BY_FILTER -> () -> c.delete(Filter.eq("i", 3));
            case COUNT_BY_FILTER -> () -> c.count(Filter.lt("i", 3));
            case LIST -> () -> c.list(ListRequest.of(4));
            case LIST_BY_FILTER -> () -> c.list(ListRequest.of(4).filter(Filter.lt("i", 3)));
            case UPDATE_METADATA -> () -> c.updateMetadata("c0001", Metadata.of("updated", true));
            case FILTERED_SEARCH -> () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3).filter(Filter.lt("i", 3)));
            case SEARCH_INCLUDE_VECTORS -> () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3).includeVectors(true));
            case EXACT_LONGS -> () -> c.upsert(List.of(rec("big", Metadata.of("n", ValuePool.TWO_POW_53_PLUS_1))));
            case SEARCH_EF -> () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3).ef(32));
            case SEARCH_NPROBE -> () -> c.search(SearchRequest.of(vectorFor("q", DIM), 3).nprobe(2));
            case ZERO_VECTORS -> () -> c.upsert(List.of(Record.of("big", new float[DIM])));
            default -> throw new AssertionError("no check for " + f);
          };
          if (supported) {
            try {
              op.execute();
            } catch (UnsupportedFeatureException e) {
              fail(f + " is declared " + capabilities.entry(f).support() + " but using it threw " + e.getMessage());
            } catch (Throwable t) {
              fail(f + " is declared supported but using it threw " + t, t);
            }
          } else {
            assertUnsupported(f, op);
            settleNegative();
            assertEquals(before.size(), c.count(), "an unsupported call wrote something");
            assertEquals(before, c.get(VectorStoreConformanceKit.ids(before)), "an unsupported call changed records");
            assertTrue(c.get("big").isEmpty(), "an unsupported call wrote a record");
            assertStillUsable(c);
          }
        }
      }
    }

    private void assertUnsupported(Feature f, Executable op) {
      UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, op,
          f + " is declared unsupported (" + capabilities.entry(f).note() + "), so using it must throw"
              + " UnsupportedFeatureException");
      assertEquals(f, e.feature(), "the exception names the feature");
      assertEquals(capabilities.backend(), e.backend(), "the exception names the backend");
    }

    private void checkDurability() {
      requireFeature(Feature.DURABILITY);
      VectorCollection c = newCollection();
      List<Record> data = recs("dur", 25);
      upsertVisible(c, data);
      VectorStore old = store;
      old.close();
      VectorStore again = reopenStore(old);
      if (again == null) {
        store = createStore(); // the kit's cleanup needs an open store
        capabilities = store.capabilities();
        Assumptions.abort("the kit subclass does not override reopenStore(), so durability is not checked");
      }
      store = again;
      assertTrue(store.hasCollection(c.name()), "collection lost on reopen");
      VectorCollection c2 = store.collection(c.name());
      assertEquals(c.spec(), c2.spec());
      assertEquals(data, c2.get(VectorStoreConformanceKit.ids(data)), "records lost on reopen");
    }
  }
}
