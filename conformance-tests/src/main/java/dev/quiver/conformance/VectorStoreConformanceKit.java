package dev.quiver.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.FieldType;
import dev.quiver.MetadataField;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Quiver conformance kit: the portable semantics of {@code docs/semantics.md} and the filter
 * language of {@code docs/filter-language.md} as JUnit 5 tests. A backend (ours or a third party's)
 * runs it by extending this class and supplying a store:
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
 *
 * <p>This class holds the settings, the lifecycle and the helpers, and names the seventeen groups
 * at its end as {@code @Nested} inner classes, in the order they run; each group's cases are in the
 * abstract class it extends, one file per group ({@link RecordsCases}, {@link SearchCases}, ...),
 * with what the groups share in {@link KitGroup}.
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
   * Metadata fields every collection of the general cases declares, to run the whole kit over a
   * backend's typed field storage. The kit's records use {@code i} (a LONG), {@code p} (a STRING) and
   * {@code even} (a BOOL) consistently, and many other keys of mixed types, which stay undeclared.
   * {@link #DECLARED_KIT_FIELDS} declares the three, indexed.
   *
   * @return the fields (default none)
   */
  protected List<MetadataField> declaredFields() {
    return List.of();
  }

  /** The kit's consistently typed keys, declared and indexed: for {@link #declaredFields()}. */
  public static final List<MetadataField> DECLARED_KIT_FIELDS = List.of(MetadataField.indexed("i", FieldType.LONG),
      MetadataField.indexed("p", FieldType.STRING), MetadataField.indexed("even", FieldType.BOOL));

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
    CollectionSpec spec = CollectionSpec.builder(uniqueName()).dimension(dimension).metric(metric).index(index)
        .fields(declaredFields()).build();
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

  // =====================================================================================
  // Package-private hooks for the groups (see KitGroup)
  // =====================================================================================

  /** Has the kit drop the named collection after the test. */
  void track(String collection) {
    createdCollections.add(collection);
  }

  /** Makes {@code s} the store of the running test (the durability check reopens the store). */
  void useStore(VectorStore s, Capabilities caps) {
    store = s;
    capabilities = caps;
  }

  // =====================================================================================
  // The groups, in the order they run and are reported. Each group's cases live in the
  // abstract class it extends (RecordsCases.java for Records, and so on); these inner classes
  // only name the groups, so that JUnit runs them with this kit instance as enclosing instance.
  // =====================================================================================

  /** Collection lifecycle: create, exists, list, describe, drop. */
  @Nested
  @Order(1)
  @DisplayName("Collections")
  class CollectionLifecycle extends CollectionLifecycleCases {
    CollectionLifecycle() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** Records come back as written. */
  @Nested
  @Order(2)
  @DisplayName("Records")
  class Records extends RecordsCases {
    Records() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** Upsert always replaces. */
  @Nested
  @Order(3)
  @DisplayName("Upsert")
  class Upsert extends UpsertCases {
    Upsert() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** Reads and deletes by id and by filter. */
  @Nested
  @Order(4)
  @DisplayName("Get and delete")
  class GetAndDelete extends GetAndDeleteCases {
    GetAndDelete() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** count() and count(filter) are exact. */
  @Nested
  @Order(5)
  @DisplayName("Count")
  class Count extends CountCases {
    Count() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** list() is a complete, stable scroll. */
  @Nested
  @Order(6)
  @DisplayName("List")
  class ListGroup extends ListCases {
    ListGroup() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** Search against the exact oracle. */
  @Nested
  @Order(7)
  @DisplayName("Search")
  class Search extends SearchCases {
    Search() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** The score and distance formulas of docs/semantics.md (Scores), on hand-computed vectors. */
  @Nested
  @Order(8)
  @DisplayName("Scores")
  class Scores extends ScoresCases {
    Scores() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** The hand-written table of {@link FilterCases}. */
  @Nested
  @Order(9)
  @DisplayName("Filters (hand-written)")
  class HandWrittenFilters extends HandWrittenFiltersCases {
    HandWrittenFilters() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** Random filters over random data, compared record by record with the reference evaluator. */
  @Nested
  @Order(10)
  @DisplayName("Filters (generated)")
  class GeneratedFilters extends GeneratedFiltersCases {
    GeneratedFilters() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** Every operation rejects bad input with a typed error, writes nothing, and leaves the store usable. */
  @Nested
  @Order(11)
  @DisplayName("Bad input")
  class BadInput extends BadInputCases {
    BadInput() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** Ids and values with quotes, backslashes and non-ASCII characters survive every operation unchanged. */
  @Nested
  @Order(12)
  @DisplayName("Unicode and quotes")
  class UnicodeAndQuotes extends UnicodeAndQuotesCases {
    UnicodeAndQuotes() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** Parallel writers and readers lose nothing. */
  @Nested
  @Order(13)
  @DisplayName("Concurrency")
  class Concurrency extends ConcurrencyCases {
    Concurrency() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** What a backend declares unsupported throws UnsupportedFeatureException; what it declares works. */
  @Nested
  @Order(14)
  @DisplayName("Capability gating")
  class CapabilityGating extends CapabilityGatingCases {
    CapabilityGating() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** Changing a collection's index online keeps records, reads and writes going. */
  @Nested
  @Order(15)
  @DisplayName("Reindex")
  class Reindex extends ReindexCases {
    Reindex() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** Declared metadata fields: typed, checked before writing, and filters mean the same. */
  @Nested
  @Order(16)
  @DisplayName("Declared fields")
  class DeclaredFields extends DeclaredFieldsCases {
    DeclaredFields() {
      super(VectorStoreConformanceKit.this);
    }
  }

  /** A tenant handle keeps every read and write inside its tenant. */
  @Nested
  @Order(17)
  @DisplayName("Tenants")
  class Tenants extends TenantCases {
    Tenants() {
      super(VectorStoreConformanceKit.this);
    }
  }
}
