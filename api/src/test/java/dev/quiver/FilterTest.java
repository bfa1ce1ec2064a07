package dev.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterTest {

  @Test
  @DisplayName("builder and text are two spellings of one tree")
  void builderEqualsText() {
    assertEquals(Filter.eq("category", "tech").and(Filter.gte("year", 2020)),
        Filter.parse("category == 'tech' and year >= 2020"));
    assertEquals(Filter.ne("a", 1), Filter.parse("a != 1"));
    assertEquals(Filter.notIn("a", "x", 2L), Filter.parse("a not in ['x', 2]"));
    assertEquals(Filter.not(Filter.exists("a")), Filter.parse("!exists(a)"));
    assertEquals(Filter.anyOf(Filter.eq("a", 1), Filter.eq("b", 2), Filter.eq("c", 3)),
        Filter.parse("a == 1 || (b == 2 or c == 3)"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a == 1 or b == 2 and c == 3      | a == 1 or b == 2 and c == 3",
      "(a == 1 or b == 2) and c == 3    | (a == 1 or b == 2) and c == 3",
      "NOT a == 1 AND b == 2            | a != 1 and b == 2",
      "NOT a > 1                        | not a > 1",
      "not (a == 1 and b == 2)          | not (a == 1 and b == 2)",
      "x not in [1, 2.5, 'q', true]     | x not in [1, 2.5, 'q', true]",
      "s == \"it's\"                    | s == 'it\\'s'",
      "s == 'a\\\\b\\nc'                | s == 'a\\\\b\\nc'",
      "n == -9223372036854775808        | n == -9223372036854775808",
      "d == 1e3                         | d == 1000.0",
      "exists ( a )                     | exists(a)",
      "not not a != 1                   | not not a != 1",
  })
  @DisplayName("prints a canonical form that parses back to the same tree")
  void canonical(String text, String canonical) {
    Filter f = Filter.parse(text);
    assertEquals(canonical, f.toString());
    assertEquals(f, Filter.parse(f.toString()));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a ==               | 4",
      "a = 1              | 2",
      "a > 'x'            | 4",
      "a > true           | 4",
      "a in []            | 6",
      "(a == 1            | 7",
      "a == 1 b == 2      | 7",
      "and == 1           | 0",
      "a == 'unterminated | 5",
      "a == 99999999999999999999 | 5",
      "a == 1.            | 6",
      "a == 'bad \\q'     | 10",
      "a # 1              | 2",
      "a not 1            | 6",
      "__x == 1           | 0",
  })
  @DisplayName("syntax errors throw InvalidFilterException at the right position")
  void positions(String text, int position) {
    InvalidFilterException e = assertThrows(InvalidFilterException.class, () -> Filter.parse(text));
    assertEquals(position, e.position(), e.getMessage());
  }

  @Test
  @DisplayName("empty, null and too-deep filters are refused")
  void limits() {
    assertThrows(InvalidFilterException.class, () -> Filter.parse(""));
    assertThrows(InvalidFilterException.class, () -> Filter.parse("   "));
    assertThrows(InvalidFilterException.class, () -> Filter.parse(null));
    assertThrows(InvalidFilterException.class, () -> Filter.parse("(".repeat(100) + "a == 1" + ")".repeat(100)));
    assertThrows(InvalidFilterException.class, () -> Filter.parse("not ".repeat(100) + "a == 1"));
    Filter deep = Filter.eq("a", 1);
    for (int i = 0; i < Filter.MAX_DEPTH - 2; i++) {
      deep = Filter.not(deep);
    }
    Filter almost = deep;
    assertThrows(InvalidFilterException.class, () -> Filter.not(Filter.not(almost)));
  }

  @Test
  @DisplayName("builder rejects bad fields and values with InvalidFilterException")
  void builderRejects() {
    assertThrows(InvalidFilterException.class, () -> Filter.eq("a b", 1));
    assertThrows(InvalidFilterException.class, () -> Filter.eq("a", null));
    assertThrows(InvalidFilterException.class, () -> Filter.eq("a", List.of("x")));
    assertThrows(InvalidFilterException.class, () -> Filter.gt("a", Double.NaN));
    assertThrows(InvalidFilterException.class, () -> Filter.in("a"));
    assertThrows(InvalidFilterException.class, () -> new Filter.Comparison("a", Filter.Operator.GT, "x"));
  }

  @Test
  @DisplayName("the reference evaluator follows docs/semantics.md and docs/filter-language.md")
  void semantics() {
    Metadata m = Metadata.of("s", "x", "n", 1L, "d", 1.0, "b", true, "tags", List.of("p", "q"),
        "big", 9007199254740993L);
    assertTrue(Filter.parse("n == 1.0").matches(m));
    assertTrue(Filter.parse("d == 1").matches(m));
    assertFalse(Filter.parse("s == 1").matches(m), "type mismatch is false");
    assertTrue(Filter.parse("s != 1").matches(m), "and its complement is true");
    assertFalse(Filter.parse("zz == 1").matches(m), "missing key is false");
    assertTrue(Filter.parse("zz != 1").matches(m), "complement of missing is true");
    assertTrue(Filter.parse("zz not in [1]").matches(m));
    assertFalse(Filter.parse("s > 0").matches(m), "ranges on strings are false");
    assertTrue(Filter.parse("tags == 'q'").matches(m), "lists match any element");
    assertTrue(Filter.parse("tags in ['z', 'p']").matches(m));
    assertFalse(Filter.parse("tags != 'q'").matches(m));
    assertFalse(Filter.parse("big == 9007199254740992").matches(m), "longs compare exactly");
    assertFalse(Filter.parse("big == 9007199254740992.0").matches(m), "long vs double compares exactly");
    assertTrue(Filter.parse("big > 9007199254740992.0").matches(m));
    assertTrue(Filter.parse("b == true and b != false").matches(m));
    assertTrue(Filter.parse("exists(tags) and not exists(zz)").matches(m));
    assertTrue(Filter.parse("S == 'x' or s == 'x'").matches(m), "fields are case-sensitive");
    assertFalse(Filter.parse("S == 'x'").matches(m));
  }
}
