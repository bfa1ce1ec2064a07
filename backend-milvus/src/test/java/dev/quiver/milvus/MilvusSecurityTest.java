package dev.quiver.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.InvalidFilterException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Against the real server: values and ids full of quotes, backslashes, newlines, control characters
 * and unicode never widen or break a filter; a tenant filter still returns only its tenant; values of
 * one type never match a literal of another (Milvus Lite evaluates {@code 1 == true} in Python).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MilvusSecurityTest {

  static final List<String> EVIL = List.of("\") or true or (\"", "') or true or ('", "\" or 1==1 or \"",
      "x\" or meta[\"tenant\"] != \"", "\\", "\\\"", "\\\\\"", "a\nb", "a\r\nb", "tab\there", "\u0001ctl\u007f",
      "ünï 日本 🙂", "e\u0301", "%", "_", "*", "\" || \"", "[\"acme\"]", "acme\u0000", "\") or (meta[\"tenant\"] == \"other",
      "exists meta[\"tenant\"]", "");

  MilvusVectorStore store;
  VectorCollection c;
  final List<Record> data = new ArrayList<>();

  /** @return a store on the server under test (overridden for the real-Milvus run) */
  MilvusVectorStore open() {
    return MilvusTestServer.open();
  }

  @BeforeAll
  void load() {
    store = open();
    String name = "sec-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    c = store.createCollection(CollectionSpec.builder(name).dimension(4).metric(Metric.EUCLIDEAN).build());
    int i = 0;
    for (String evil : EVIL) {
      data.add(Record.of("acme-" + i, vec(i), Metadata.of("tenant", "acme", "s", evil, "tags", List.of(evil, "t"))));
      data.add(Record.of("other-" + i, vec(i), Metadata.of("tenant", "other", "s", evil, "tags", List.of(evil))));
      data.add(Record.of(evil.isEmpty() ? "empty" : evil, vec(i), Metadata.of("tenant", "ids", "s", evil)));
      i++;
    }
    // look-alikes of the tenant value in other types
    data.add(Record.of("json-string", vec(1), Metadata.of("tenant", "[\"acme\"]")));
    data.add(Record.of("list-tenant", vec(1), Metadata.of("tenant", List.of("acme"))));
    data.add(Record.of("bool-1", vec(2), Metadata.of("flag", true, "n", true)));
    data.add(Record.of("num-1", vec(3), Metadata.of("flag", 1L, "n", 1L)));
    data.add(Record.of("num-1.0", vec(3), Metadata.of("flag", 1.0, "n", 1.0)));
    data.add(Record.of("str-1", vec(3), Metadata.of("flag", "1", "n", "true")));
    c.upsert(data);
  }

  @AfterAll
  void drop() {
    if (store != null) {
      store.dropCollection(c.name());
      store.close();
    }
  }

  static float[] vec(int i) {
    return new float[] {1 + i, 2, 3, 4};
  }

  private Set<String> reference(Filter f) {
    return data.stream().filter(r -> f.matches(r.metadata())).map(Record::id).collect(Collectors.toCollection(TreeSet::new));
  }

  private Set<String> viaList(Filter f) {
    Set<String> out = new TreeSet<>();
    ListRequest req = ListRequest.of(7).filter(f);
    for (Page p = c.list(req); ; p = c.list(req.cursor(p.nextCursor().get()))) {
      p.records().forEach(r -> out.add(r.id()));
      if (p.nextCursor().isEmpty()) {
        return out;
      }
    }
  }

  private Set<String> viaSearch(Filter f) {
    return c.search(SearchRequest.of(vec(0), 1000).filter(f)).stream().map(Match::id)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private void check(Filter f) {
    Set<String> want = reference(f);
    assertEquals(want.size(), c.count(f), "count " + f);
    assertEquals(want, viaList(f), "list " + f);
    assertEquals(want, viaSearch(f), "search " + f);
  }

  @Test
  void tenantFilterNeverWidens() {
    for (String evil : EVIL) {
      Filter f = Filter.eq("tenant", "acme").and(Filter.eq("s", evil));
      Set<String> want = reference(f);
      assertEquals(1, want.size(), "the reference finds exactly one acme record for " + f);
      assertTrue(want.iterator().next().startsWith("acme-"));
      check(f);
      check(Filter.eq("tenant", "acme").and(Filter.eq("tags", evil)));
      check(Filter.eq("tenant", "acme").and(Filter.ne("s", evil)));
      check(Filter.eq("tenant", "acme").and(Filter.in("s", evil, "zzz")));
      check(Filter.eq("tenant", "acme").and(Filter.notIn("tags", evil)));
      // the text form goes through the parser and back to the same tree
      check(Filter.parse(f.toString()));
    }
  }

  @Test
  void typesNeverMatchAcrossKinds() {
    check(Filter.eq("tenant", "acme")); // not the JSON-looking string, but the list element
    assertTrue(reference(Filter.eq("tenant", "acme")).contains("list-tenant"));
    check(Filter.eq("flag", true));
    check(Filter.eq("flag", 1));
    check(Filter.eq("n", 1.0));
    check(Filter.gt("n", 0));
    check(Filter.ne("flag", true));
    check(Filter.not(Filter.gt("n", 0)));
    check(Filter.in("flag", 1, true, "1"));
    check(Filter.notIn("n", "true", 1));
    check(Filter.lte("flag", 1));
  }

  @Test
  void evilIdsAreDeletedAlone() {
    String evil = "\") or true or (\"";
    long before = c.count();
    assertEquals(1, c.get(List.of(evil)).size());
    c.delete(List.of(evil, "\" or id != \""));
    assertEquals(before - 1, c.count());
    assertEquals(List.of(), c.get(List.of(evil)));
    c.upsert(data.stream().filter(r -> r.id().equals(evil)).toList());
    assertEquals(before, c.count());
  }

  @Test
  void deleteByEvilFilterDeletesOnlyItsMatches() {
    String evil = EVIL.get(0);
    Filter f = Filter.eq("tenant", "acme").and(Filter.eq("s", evil));
    List<Record> doomed = data.stream().filter(r -> f.matches(r.metadata())).toList();
    long before = c.count();
    c.delete(f);
    assertEquals(before - doomed.size(), c.count());
    c.upsert(doomed);
    assertEquals(before, c.count());
  }

  @Test
  void keysCannotCarryQuotes() {
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("a\"]) or true or (meta[\"b", 1));
    assertThrows(InvalidFilterException.class, () -> Filter.eq("a\"b", 1));
    assertThrows(InvalidFilterException.class, () -> Filter.parse("a\"b == 1"));
  }
}
