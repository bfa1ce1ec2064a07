package dev.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

  @Nested
  @DisplayName("Metadata")
  class MetadataRules {
    @Test
    @DisplayName("widens Integer to Long and Float to Double, keeps lists of strings")
    void canonicalTypes() {
      Metadata m = Metadata.of("a", 1, "b", 1.5f, "c", List.of("x", "y"), "d", true, "e", "s");
      assertEquals(1L, m.get("a").orElseThrow());
      assertEquals(1.5d, m.get("b").orElseThrow());
      assertEquals(List.of("x", "y"), m.get("c").orElseThrow());
      assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(m.keys()));
    }

    @Test
    @DisplayName("rejects nulls, NaN, nested maps, lists of non-strings, bad and reserved keys")
    void rejects() {
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("a", null));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("a", Double.NaN));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("a", Map.of("b", 1)));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("a", List.of(1, 2)));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("1a", 1));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("a-b", 1));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("and", 1));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("__x", 1));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("a", 1, "a", 2));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("a"));
      assertThrows(InvalidArgumentException.class, () -> Metadata.of("k".repeat(65), 1));
    }

    @Test
    @DisplayName("is immutable and compares by value")
    void immutable() {
      Metadata m = Metadata.of("a", 1L);
      assertThrows(UnsupportedOperationException.class, () -> m.asMap().put("b", 2L));
      assertEquals(m, Metadata.of("a", 1));
      assertEquals(Metadata.of("a", 1L, "b", 2L), m.with("b", 2));
      assertEquals(Metadata.empty(), m.without("a"));
      assertFalse(Metadata.of("a", 1L).equals(Metadata.of("a", 1.0)));
    }
  }

  @Nested
  @DisplayName("Record")
  class RecordRules {
    @Test
    @DisplayName("ids are non-empty, well-formed and at most 512 UTF-8 bytes")
    void ids() {
      assertThrows(InvalidArgumentException.class, () -> Record.of("", new float[] {1}));
      assertThrows(InvalidArgumentException.class, () -> Record.of(null, new float[] {1}));
      assertThrows(InvalidArgumentException.class, () -> Record.of("\uD800x", new float[] {1}));
      Record.of("é".repeat(256), new float[] {1});
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> Record.of("é".repeat(256) + "x", new float[] {1}));
      assertTrue(e.getMessage().contains("513"), e.getMessage());
    }

    @Test
    @DisplayName("vectors must be non-empty and finite, and are copied in and out")
    void vectors() {
      assertThrows(InvalidArgumentException.class, () -> Record.of("a", new float[0]));
      assertThrows(InvalidArgumentException.class, () -> Record.of("a", new float[] {Float.NaN}));
      assertThrows(InvalidArgumentException.class, () -> Record.of("a", new float[] {Float.POSITIVE_INFINITY}));
      float[] v = {1, 2};
      Record r = Record.of("a", v);
      v[0] = 9;
      assertEquals(1f, r.vector()[0]);
      r.vector()[1] = 9;
      assertEquals(2f, r.vector()[1]);
    }
  }

  @Nested
  @DisplayName("CollectionSpec")
  class SpecRules {
    @Test
    @DisplayName("names follow [A-Za-z][A-Za-z0-9_-]{0,254}")
    void names() {
      CollectionSpec.checkName("a");
      CollectionSpec.checkName("Articles_2-b");
      CollectionSpec.checkName("a".repeat(255));
      for (String bad : new String[] {"", "1a", "_a", "a b", "a/b", "../x", "a".repeat(256), "é"}) {
        assertThrows(InvalidArgumentException.class, () -> CollectionSpec.checkName(bad), bad);
      }
    }

    @Test
    @DisplayName("checks dimension, PQ divisibility, and vectors against itself")
    void vectors() {
      assertThrows(InvalidArgumentException.class, () -> CollectionSpec.builder("a").dimension(0).build());
      assertThrows(InvalidArgumentException.class,
          () -> CollectionSpec.builder("a").dimension(10).index(IndexSpec.ivfPq(4, 3, 8)).build());
      CollectionSpec spec = CollectionSpec.builder("a").dimension(2).metric(Metric.COSINE).build();
      DimensionMismatchException e = assertThrows(DimensionMismatchException.class,
          () -> spec.checkVector("query", new float[3]));
      assertEquals(2, e.expected());
      assertEquals(3, e.actual());
      assertThrows(InvalidArgumentException.class, () -> spec.checkVector("query", new float[2]));
      CollectionSpec.builder("a").dimension(2).metric(Metric.EUCLIDEAN).build().checkVector("q", new float[2]);
    }
  }

  @Nested
  @DisplayName("Requests")
  class Requests {
    @Test
    @DisplayName("search requests need topK >= 1 and a finite vector; options return copies")
    void search() {
      assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(new float[] {1}, 0));
      assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(new float[] {Float.NaN}, 1));
      SearchRequest a = SearchRequest.of(new float[] {1}, 3);
      SearchRequest b = a.filter("x == 1").includeVectors(true).ef(50);
      assertTrue(a.filter().isEmpty());
      assertEquals(Filter.eq("x", 1), b.filter().orElseThrow());
      assertTrue(b.includeVectors());
      assertEquals(50, b.ef().getAsInt());
      assertThrows(InvalidFilterException.class, () -> a.filter("x =="));
    }

    @Test
    @DisplayName("list requests bound the page size and refuse empty cursors")
    void list() {
      assertThrows(InvalidArgumentException.class, () -> ListRequest.of(0));
      assertThrows(InvalidArgumentException.class, () -> ListRequest.of(ListRequest.MAX_PAGE_SIZE + 1));
      assertThrows(InvalidArgumentException.class, () -> ListRequest.of(10).cursor(""));
      assertEquals("c", ListRequest.of(10).cursor("c").cursor().orElseThrow());
    }
  }

  @Nested
  @DisplayName("Metric")
  class Metrics {
    @Test
    @DisplayName("score and distance follow the table in docs/semantics.md and convert into each other")
    void formulas() {
      float[] a = {1, 0};
      float[] b = {0, 2};
      assertEquals(0.0, Metric.COSINE.score(a, b), 1e-12);
      assertEquals(1.0, Metric.COSINE.distance(a, b), 1e-12);
      assertEquals(-0.0, Metric.DOT_PRODUCT.distance(a, b), 1e-12);
      assertEquals(Math.sqrt(5), Metric.EUCLIDEAN.distance(a, b), 1e-12);
      assertEquals(1 / (1 + Math.sqrt(5)), Metric.EUCLIDEAN.score(a, b), 1e-12);
      for (Metric m : Metric.values()) {
        assertEquals(0.3, m.distanceFromScore(m.scoreFromDistance(0.3)), 1e-12, m.name());
      }
    }
  }
}
