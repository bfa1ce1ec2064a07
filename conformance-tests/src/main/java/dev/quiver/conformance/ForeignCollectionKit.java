package dev.quiver.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The kit for collections Quiver did not create. A backend extends it once per layout found in the
 * wild (the vendor's quick-start layout, the layouts LangChain4j and Spring AI create, ...): the
 * subclass makes the collection with the vendor's own client and fills it with the kit's records
 * ({@link #createWithVendorClient}), and the kit opens it with Quiver and compares describe, get,
 * list, count, filtered count and (filtered) search with what the vendor client reads
 * ({@link VendorCollection}), then writes through Quiver and checks that the vendor client reads the
 * write in the collection's own layout.
 *
 * <p>The kit's records: {@value #RECORDS} records of dimension {@value #DIM} under COSINE, with
 * metadata {@code category} (string a..d), {@code year} (long), {@code rating} (double),
 * {@code published} (bool) and {@code tags} (list of strings); a layout that cannot hold one of them
 * says so in {@link #keysTheLayoutHolds()}. Numbers compare by value (a layout that keeps every number
 * as a float64 reads {@code 2024} back as {@code 2024.0}).
 *
 * <p>One collection is made per class (in {@code @BeforeAll}) and dropped after it. Without a server,
 * {@link #openStore()} aborts with the reason, which skips every case and says why.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class ForeignCollectionKit {

  /** Vector dimension of the kit's foreign collections. */
  public static final int DIM = 8;
  /** How many records the vendor client writes. */
  public static final int RECORDS = 200;
  /** The metadata keys of the kit's records. */
  public static final List<String> KEYS = List.of("category", "year", "rating", "published", "tags");

  private VectorStore store;
  private VendorCollection vendor;
  private String name;
  private List<Record> records;

  /** Subclasses supply the hooks. */
  protected ForeignCollectionKit() {}

  // ------------------------------------------------------------------ hooks

  /**
   * @return a Quiver store on the server the vendor client writes to; aborts (skipping the class
   *     with the reason) when there is none
   */
  protected abstract VectorStore openStore();

  /** @return the layout's name in reports, for example {@code "pymilvus quick-start (INT64 id)"} */
  protected abstract String layoutName();

  /**
   * Creates collection {@code name} with the vendor's own client, in this layout, under COSINE, and
   * writes {@code records} with it (ids as given, metadata keys as the layout stores them).
   *
   * @param name the collection name
   * @param records the kit's records
   * @return the vendor client's view of the collection
   */
  protected abstract VendorCollection createWithVendorClient(String name, List<Record> records);

  /**
   * @param i the record's index
   * @return the id of the kit's i-th record in the form this layout's key holds (default: the decimal
   *     number {@code 1000 + i}, which fits integer and string keys)
   */
  protected String idFor(int i) {
    return String.valueOf(1000 + i);
  }

  /** @return an id this layout's key cannot hold (say, letters for an integer key), if there is one */
  protected Optional<String> idTheKeyCannotHold() {
    return Optional.empty();
  }

  /** @return the kit's metadata keys this layout holds (default all of {@link #KEYS}) */
  protected Set<String> keysTheLayoutHolds() {
    return Set.copyOf(KEYS);
  }

  /**
   * @param suffix a random suffix of lower-case hex digits
   * @return the name of the collection the vendor client creates (default {@code foreign_<suffix>});
   *     override where the vendor's names cannot hold it (Pinecone index names take no '_')
   */
  protected String collectionName(String suffix) {
    return "foreign_" + suffix;
  }

  /**
   * @return the vector name to open the collection with ({@link VectorStore#collection(String, String)}),
   *     or empty to open it with {@link VectorStore#collection(String)}
   */
  protected Optional<String> vectorName() {
    return Optional.empty();
  }

  // ------------------------------------------------------------------ lifecycle

  @BeforeAll
  final void createForeignCollection() {
    store = openStore();
    name = collectionName(Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
    records = kitRecords();
    System.out.println("Foreign collection kit: " + layoutName() + " as " + name);
    vendor = createWithVendorClient(name, records);
  }

  @AfterAll
  final void dropForeignCollection() {
    try {
      if (vendor != null) {
        vendor.drop();
      }
    } finally {
      if (store != null) {
        store.close();
      }
    }
  }

  private List<Record> kitRecords() {
    Set<String> keys = keysTheLayoutHolds();
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("category", String.valueOf((char) ('a' + i % 4)));
      m.put("year", 2000L + i % 25);
      m.put("rating", i * 0.25);
      m.put("published", i % 3 == 0);
      m.put("tags", List.of("t" + i % 5, "all"));
      m.keySet().retainAll(keys);
      out.add(Record.of(idFor(i), vector(i), Metadata.from(m)));
    }
    return List.copyOf(out);
  }

  private static float[] vector(int i) {
    return DatasetGenerator.vector(new Random(4242L + i), DIM);
  }

  private VectorCollection collection() {
    return vectorName().map(v -> store.collection(name, v)).orElseGet(() -> store.collection(name));
  }

  private Map<String, Record> expected() {
    Map<String, Record> m = new LinkedHashMap<>();
    records.forEach(r -> m.put(r.id(), r));
    return m;
  }

  // ------------------------------------------------------------------ cases

  @Test
  @Order(1)
  @DisplayName("the store lists and describes the collection: dimension, metric, and its native layout in words")
  void describes() {
    assertTrue(store.capabilities().supports(Feature.FOREIGN_COLLECTIONS), "FOREIGN_COLLECTIONS is declared");
    assertTrue(store.listCollections().contains(name), "listCollections() names " + name);
    assertTrue(store.hasCollection(name));
    CollectionSpec spec = store.describeCollection(name);
    assertEquals(DIM, spec.dimension());
    assertEquals(Metric.COSINE, spec.metric());
    assertFalse(spec.layout().isEmpty(), "describeCollection reports the native layout: " + spec);
    assertEquals(spec.dimension(), collection().spec().dimension());
  }

  @Test
  @Order(2)
  @DisplayName("count and count(category == x) equal the vendor client's")
  void counts() {
    VectorCollection c = collection();
    assertEquals(RECORDS, vendor.count(), "the vendor client's count");
    assertEquals(vendor.count(), c.count());
    if (keysTheLayoutHolds().contains("category")) {
      for (String cat : List.of("a", "b", "zz")) {
        long want = records.stream().filter(r -> cat.equals(r.metadata().get("category").orElse(null))).count();
        assertEquals(want, c.count(Filter.eq("category", cat)), "count(category == " + cat + ")");
      }
    }
  }

  @Test
  @Order(3)
  @DisplayName("get returns every record with its native id, its vector's direction and its fields as metadata")
  void gets() {
    VectorCollection c = collection();
    Map<String, Record> want = expected();
    List<Record> got = c.get(new ArrayList<>(want.keySet()));
    assertEquals(want.size(), got.size(), "every record is found by its id");
    for (Record r : got) {
      Record w = want.get(r.id());
      assertTrue(w != null, "unknown id " + r.id());
      assertSameMetadata(w.metadata(), r.metadata(), r.id());
      assertTrue(cosine(w.vector(), r.vector()) > 0.9999, "vector of " + r.id() + " keeps its direction");
      Map<String, Object> native_ = vendor.get(r.id()).orElseThrow(() -> new AssertionError("vendor lacks " + r.id()));
      for (String key : keysTheLayoutHolds()) {
        assertTrue(sameValue(native_.get(key), r.metadata().get(key).orElse(null)),
            r.id() + "." + key + ": vendor " + native_.get(key) + ", Quiver " + r.metadata().get(key).orElse(null));
      }
    }
    String unwritten = idFor(RECORDS + 99); // a valid id for this layout that no record has
    assertTrue(c.get(unwritten).isEmpty(), "get(" + unwritten + ") found a record that was never written");
  }

  @Test
  @Order(4)
  @DisplayName("list visits exactly the vendor client's records, each once")
  void lists() {
    List<Record> all = VectorStoreConformanceKit.scroll(collection(), null, 37);
    Set<String> ids = new HashSet<>();
    all.forEach(r -> assertTrue(ids.add(r.id()), "listed twice: " + r.id()));
    assertEquals(new HashSet<>(vendor.ids()), ids);
    assertEquals(expected().keySet(), ids);
  }

  @Test
  @Order(5)
  @DisplayName("search and filtered search return what the vendor client's search returns")
  void searches() {
    VectorCollection c = collection();
    for (int q = 0; q < 5; q++) {
      float[] query = DatasetGenerator.vector(new Random(99L + q), DIM);
      for (String cat : keysTheLayoutHolds().contains("category") ? new String[] {null, "c"} : new String[] {null}) {
        SearchRequest req = SearchRequest.of(query, 10);
        if (cat != null) {
          req = req.filter(Filter.eq("category", cat));
        }
        List<String> ours = c.search(req).stream().map(Match::id).toList();
        List<String> theirs = vendor.search(query, 10, cat);
        Set<String> common = new HashSet<>(ours);
        common.retainAll(theirs);
        assertEquals(10, theirs.size(), "the vendor's search found 10");
        assertTrue(common.size() >= 9, "query " + q + (cat == null ? "" : " in category " + cat)
            + ": Quiver " + ours + " vs vendor " + theirs);
        if (cat != null) {
          for (Match m : c.search(req)) {
            assertEquals(cat, expected().get(m.id()).metadata().get("category").orElse(null));
          }
        }
      }
    }
  }

  @Test
  @Order(6)
  @DisplayName("a record written and deleted through Quiver is read by the vendor client in the collection's own layout")
  void writesKeepTheNativeLayout() {
    VectorCollection c = collection();
    String id = idFor(RECORDS + 7);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("category", "written");
    m.put("year", 2042L);
    m.put("rating", 4.5);
    m.put("published", true);
    m.put("tags", List.of("quiver"));
    m.keySet().retainAll(keysTheLayoutHolds());
    Record r = Record.of(id, vector(RECORDS + 7), Metadata.from(m));
    c.upsert(r);
    try {
      assertEquals(RECORDS + 1, c.count());
      assertSameMetadata(r.metadata(), c.get(id).orElseThrow().metadata(), id);
      Map<String, Object> native_ = vendor.get(id).orElseThrow(() -> new AssertionError("the vendor client cannot read " + id));
      for (String key : keysTheLayoutHolds()) {
        assertTrue(sameValue(native_.get(key), m.get(key)), key + ": vendor read " + native_.get(key));
      }
      assertEquals(RECORDS + 1, vendor.count());
    } finally {
      c.delete(List.of(id));
    }
    assertEquals(RECORDS, c.count());
    assertTrue(vendor.get(id).isEmpty(), "deleted through Quiver, gone for the vendor client");
  }

  @Test
  @Order(7)
  @DisplayName("an id the native key cannot hold, or a value of the wrong type for a typed field, is a typed error that writes nothing")
  void badWritesAreTyped() {
    VectorCollection c = collection();
    Optional<String> badId = idTheKeyCannotHold();
    badId.ifPresent(bad -> {
      assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of(bad, vector(1), Metadata.empty())),
          "id '" + bad + "'");
    });
    CollectionSpec spec = c.spec();
    for (MetadataField f : spec.fields()) {
      Object wrong = f.type() == dev.quiver.FieldType.STRING ? (Object) 7L : "not a " + f.type();
      assertThrows(InvalidArgumentException.class, () -> c.upsert(Record.of(idFor(RECORDS + 8), vector(2),
          Metadata.of(f.name(), wrong))), "declared " + f);
    }
    assertEquals(RECORDS, c.count(), "nothing was written");
    assertEquals(RECORDS, vendor.count());
    if (badId.isEmpty() && spec.fields().isEmpty()) {
      System.out.println("Foreign collection kit: " + layoutName() + ": no key or field type to break");
    }
  }

  // ------------------------------------------------------------------ helpers

  private void assertSameMetadata(Metadata want, Metadata got, String id) {
    for (String key : keysTheLayoutHolds()) {
      Object w = want.get(key).orElse(null);
      Object g = got.get(key).orElse(null);
      if (!sameValue(w, g)) {
        fail(id + "." + key + ": want " + w + ", got " + g + " (all: " + got + ")");
      }
    }
  }

  /** Equal, with numbers compared by value (2024 == 2024.0) and lists element-wise. */
  static boolean sameValue(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue()
          && (!(x instanceof Long) || !(y instanceof Long) || x.longValue() == y.longValue());
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameValue(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a == null ? b == null : a.equals(b);
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
