package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.SCORE_TOLERANCE;
import static dev.quiver.conformance.VectorStoreConformanceKit.ids;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Capabilities;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.function.Executable;

/**
 * The base of every group of kit cases, and the one place for what the groups share.
 *
 * <p>Each group is an abstract subclass in its own file ({@link RecordsCases}, {@link SearchCases},
 * ...). {@link VectorStoreConformanceKit} runs it through a thin {@code @Nested} inner class that
 * carries the group's {@code @DisplayName} and {@code @Order} ({@code class Records extends
 * RecordsCases}), so JUnit creates one per test with the running kit instance, and the cases reach
 * the store of that test, the backend's settings and the kit's helpers through it. A backend never
 * sees these classes: it extends {@link VectorStoreConformanceKit} only.
 */
abstract class KitGroup {

  /** The kit instance of the running test (the enclosing instance of the {@code @Nested} class). */
  final VectorStoreConformanceKit kit;

  KitGroup(VectorStoreConformanceKit kit) {
    this.kit = Objects.requireNonNull(kit, "kit");
  }

  // =====================================================================================
  // The running test's store and the backend's settings (see VectorStoreConformanceKit)
  // =====================================================================================

  final VectorStore store() {
    return kit.store();
  }

  final Capabilities capabilities() {
    return kit.capabilities();
  }

  final IndexSpec indexForTests() {
    return kit.indexForTests();
  }

  final double annRecallFloor() {
    return kit.annRecallFloor();
  }

  final void requireFeature(Feature feature) {
    kit.requireFeature(feature);
  }

  final VectorCollection newCollection(Metric metric, IndexSpec index, int dimension) {
    return kit.newCollection(metric, index, dimension);
  }

  final VectorCollection newCollection() {
    return kit.newCollection();
  }

  final VectorCollection newExactCollection() {
    return kit.newExactCollection();
  }

  final IndexSpec exactIndex() {
    return kit.exactIndex();
  }

  final Metric defaultMetric() {
    return kit.defaultMetric();
  }

  final <T> T awaitVisible(Supplier<T> read, Predicate<? super T> expected) {
    return kit.awaitVisible(read, expected);
  }

  final void awaitCount(VectorCollection c, long n) {
    kit.awaitCount(c, n);
  }

  final void upsertVisible(VectorCollection c, List<Record> records) {
    kit.upsertVisible(c, records);
  }

  /** Has the kit drop the named collection after the test (for collections created directly on the store). */
  final void track(String collection) {
    kit.track(collection);
  }

  // =====================================================================================
  // Negative checks: nothing written, the store still usable
  // =====================================================================================

  /** Lets an EVENTUAL backend settle before asserting that something did NOT happen. */
  final void settleNegative() {
    if (capabilities().consistency() == Capabilities.Consistency.EVENTUAL) {
      try {
        Thread.sleep(Math.min(2000, kit.visibilityTimeout().toMillis() / 10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Asserts that the store and collection still work: a probe record is written, read and deleted. */
  final void assertStillUsable(VectorCollection c) {
    String id = "probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    Record probe = Record.of(id, vectorFor(id, c.spec().dimension()), Metadata.of("probe", true));
    long before = c.count();
    upsertVisible(c, List.of(probe));
    assertEquals(List.of(probe), c.get(List.of(id)), "store not usable after a rejected call: probe not readable");
    c.delete(List.of(id));
    awaitCount(c, before);
    assertTrue(store().hasCollection(c.name()), "collection vanished after a rejected call");
  }

  /**
   * Asserts that {@code op} throws {@code type}, that the collection holds exactly {@code before}
   * afterwards (nothing written), and that the store is still usable.
   */
  final <T extends Throwable> T assertRejected(Class<T> type, VectorCollection c, List<Record> before,
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

  // =====================================================================================
  // Shared assertions and comparisons
  // =====================================================================================

  static List<String> searchIds(VectorCollection c, float[] q, int topK, Filter filter) {
    return c.search(SearchRequest.of(q, topK).filter(filter)).stream().map(Match::id).collect(Collectors.toList());
  }

  static <T> void assertNoDuplicates(List<T> values, String what) {
    Map<T, Integer> counts = new HashMap<>();
    for (T v : values) {
      counts.merge(v, 1, Integer::sum);
    }
    List<T> dups = counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    assertTrue(dups.isEmpty(), what + " returned duplicates: " + dups);
  }

  /** The ids the reference evaluator {@link Filter#matches} selects from {@code data}, sorted. */
  static Set<String> expectedIds(Map<String, Metadata> data, Filter f) {
    Set<String> out = new TreeSet<>();
    data.forEach((id, m) -> {
      if (f.matches(m)) {
        out.add(id);
      }
    });
    return out;
  }

  /** Names the missing, unexpected and duplicated ids of {@code actual}, with their metadata. */
  static String diff(Set<String> expected, Collection<String> actual, Map<String, Metadata> data) {
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
   * {@value VectorStoreConformanceKit#SCORE_TOLERANCE}, best first.
   */
  static void assertMatchesOracle(List<Match> got, List<ExactOracle.Hit> want, List<Record> data, float[] q,
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

  static double recallAt10(List<Match> got, List<ExactOracle.Hit> want) {
    Set<String> w = want.stream().map(ExactOracle.Hit::id).collect(Collectors.toSet());
    long hit = got.stream().map(Match::id).filter(w::contains).count();
    return want.isEmpty() ? 1.0 : (double) hit / want.size();
  }
}
