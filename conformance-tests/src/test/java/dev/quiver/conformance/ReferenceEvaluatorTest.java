package dev.quiver.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Filter;
import dev.quiver.Metadata;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import java.util.stream.Stream;

/** The reference evaluator against the semantic rules of docs/filter-language.md, and the kit's tables against it. */
class ReferenceEvaluatorTest {

  private static final Metadata EMPTY = Metadata.empty();

  private static boolean m(String filter, Metadata md) {
    return Filter.parse(filter).matches(md);
  }

  @Test
  @DisplayName("a comparison on a missing key is false; its negation is true")
  void missingKey() {
    for (String f : List.of("x == 1", "x > 1", "x <= 1", "x == 'a'", "x in [1, 'a']", "x == true")) {
      assertFalse(m(f, EMPTY), f);
      assertTrue(m("not (" + f + ")", EMPTY), "not " + f);
    }
    assertTrue(m("x != 1", EMPTY));
    assertTrue(m("x not in [1]", EMPTY));
    assertFalse(m("exists(x)", EMPTY));
  }

  @Test
  @DisplayName("a comparison on another type is false")
  void typeMismatch() {
    Metadata s = Metadata.of("x", "1");
    Metadata n = Metadata.of("x", 1L);
    Metadata b = Metadata.of("x", true);
    Metadata l = Metadata.of("x", List.of("1"));
    assertFalse(m("x == 1", s));
    assertFalse(m("x > 0", s));
    assertFalse(m("x == '1'", n));
    assertFalse(m("x == true", n));
    assertFalse(m("x == 1", b));
    assertFalse(m("x > 0", b));
    assertFalse(m("x == 1", l));
    assertTrue(m("x == '1'", l));
    assertFalse(m("x > 0", l));
    assertTrue(m("x != 1", s));
  }

  @Test
  @DisplayName("complement law: not F matches exactly what F does not, over generated data and filters")
  void complementLaw() {
    DatasetGenerator data = new DatasetGenerator(3, ValuePool.withExactLongs());
    FilterGenerator gen = new FilterGenerator(4, ValuePool.withExactLongs());
    for (int i = 0; i < 300; i++) {
      Filter f = gen.next();
      for (int j = 0; j < 20; j++) {
        Metadata md = data.metadata();
        assertEquals(!f.matches(md), f.negate().matches(md), f + " on " + md);
      }
    }
    Metadata md = Metadata.of("x", 2L);
    assertEquals(m("x != 1", md), !m("x == 1", md));
    assertEquals(m("x not in [1, 2]", md), !m("x in [1, 2]", md));
  }

  @Test
  @DisplayName("lists match == and in on any element; never ranges")
  void lists() {
    Metadata md = Metadata.of("tags", List.of("a", "b"));
    assertTrue(m("tags == 'a'", md));
    assertTrue(m("tags == 'b'", md));
    assertFalse(m("tags == 'c'", md));
    assertTrue(m("tags in ['c', 'b']", md));
    assertFalse(m("tags != 'a'", md));
    assertTrue(m("tags != 'c'", md));
    assertFalse(m("tags > 'a'".replace("'a'", "1"), md));
    assertFalse(m("tags == 'a' and not (tags == 'b')", md));
    assertTrue(m("exists(tags)", Metadata.of("tags", List.of())));
    assertFalse(m("tags == ''", Metadata.of("tags", List.of())));
  }

  @Test
  @DisplayName("numbers compare numerically across long and double, exactly beyond 2^53")
  void numbers() {
    assertTrue(m("x == 1.0", Metadata.of("x", 1L)));
    assertTrue(m("x == 1", Metadata.of("x", 1.0)));
    assertTrue(m("x >= 1 and x <= 1", Metadata.of("x", 1.0)));
    assertTrue(m("x < 1.5", Metadata.of("x", 1L)));
    assertTrue(m("x == 0", Metadata.of("x", -0.0)));
    long big = 9_007_199_254_740_993L; // 2^53 + 1
    Metadata exact = Metadata.of("x", big);
    assertTrue(m("x == 9007199254740993", exact));
    assertFalse(m("x == 9007199254740992", exact));
    assertFalse(m("x == 9007199254740992.0", exact), "2^53+1 must not equal the double 2^53");
    assertTrue(m("x > 9007199254740992.0", exact));
    assertFalse(m("x == 9007199254740993", Metadata.of("x", 9_007_199_254_740_992.0)));
    assertTrue(m("x < 9.223372036854776E18", Metadata.of("x", Long.MAX_VALUE)), "Long.MAX < 2^63");
    assertFalse(m("x == 9.223372036854776E18", Metadata.of("x", Long.MAX_VALUE)));
    assertTrue(m("x == -9.223372036854776E18", Metadata.of("x", Long.MIN_VALUE)));
  }

  @Test
  @DisplayName("strings are exact and case-sensitive; booleans support == and !=")
  void stringsAndBooleans() {
    Metadata md = Metadata.of("s", "Ab", "b", false);
    assertTrue(m("s == 'Ab'", md));
    assertFalse(m("s == 'ab'", md));
    assertFalse(m("s == 'Ab '", md));
    assertTrue(m("b == false", md));
    assertTrue(m("b != true", md));
    assertFalse(m("b == 'false'", md));
    assertFalse(m("b == 0", md));
  }

  @Test
  @DisplayName("precedence: not binds tighter than and, and tighter than or")
  void precedence() {
    Metadata md = Metadata.of("a", 1L, "b", 2L);
    assertTrue(m("a == 1 or a == 2 and b == 3", md));
    assertFalse(m("(a == 1 or a == 2) and b == 3", md));
    assertFalse(m("not a == 1 and b == 2", md));
    assertEquals(Filter.parse("(not a == 1) and b == 2"), Filter.parse("not a == 1 and b == 2"));
    assertEquals(Filter.parse("a == 1 or (a == 2 and b == 3)"), Filter.parse("a == 1 or a == 2 and b == 3"));
  }

  @TestFactory
  @DisplayName("every hand-written case of the kit holds in the reference evaluator")
  Stream<DynamicTest> table() {
    return Stream.concat(
        FilterCases.cases().stream().map(c -> check(FilterCases.dataset(), c)),
        FilterCases.exactLongCases().stream().map(c -> check(FilterCases.exactLongDataset(), c)));
  }

  @Test
  @DisplayName("the table has at least 100 cases, all distinct")
  void tableSize() {
    assertTrue(FilterCases.cases().size() + FilterCases.exactLongCases().size() >= 100);
    Set<String> texts = new TreeSet<>();
    FilterCases.cases().forEach(c -> assertTrue(texts.add(c.filter()), "duplicate case " + c.filter()));
  }

  private static DynamicTest check(Map<String, Metadata> data, FilterCases.Case c) {
    return DynamicTest.dynamicTest(c.filter(), () -> {
      Filter f = Filter.parse(c.filter());
      Set<String> got = new TreeSet<>();
      data.forEach((id, md) -> {
        if (f.matches(md)) {
          got.add(id);
        }
      });
      assertEquals(c.expected(), got, c.filter());
    });
  }
}
