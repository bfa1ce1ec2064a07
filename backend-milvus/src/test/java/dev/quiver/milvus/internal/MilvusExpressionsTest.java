package dev.quiver.milvus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quiver.Filter;
import dev.quiver.InvalidFilterException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Exact Milvus expressions for a table of filters (no server needed). */
class MilvusExpressionsTest {

  private static final String STR_CAT_A = "((exists qtypes[\"cat\"]) and ((qtypes[\"cat\"] == \"s\" and meta[\"cat\"] == \"a\")"
      + " or (qtypes[\"cat\"] == \"l\" and json_contains(meta[\"cat\"], \"a\"))))";

  /**
   * A numeric atom: the comparison on longs (tag "i") and on doubles (tag "f"); {@code null} leaves that
   * type out (no value of it matches), {@code ""} keeps only the tag test (every value of it matches).
   */
  private static String num(String field, String onLongs, String onDoubles) {
    List<String> parts = new java.util.ArrayList<>();
    if (onLongs != null) {
      parts.add("(qtypes[\"" + field + "\"] == \"i\"" + (onLongs.isEmpty() ? "" : " and (" + onLongs + ")") + ")");
    }
    if (onDoubles != null) {
      parts.add("(qtypes[\"" + field + "\"] == \"f\"" + (onDoubles.isEmpty() ? "" : " and (" + onDoubles + ")") + ")");
    }
    return "((exists qtypes[\"" + field + "\"]) and (" + String.join(" or ", parts) + "))";
  }

  private static String nullable(String s) {
    return s.equals("-") ? null : s.equals("*") ? "" : s;
  }

  /** Longs are compared with long literals and doubles with double literals only ({@code -} none, {@code *} all). */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      n == 1                      | meta["n"] == 1                       | meta["n"] == 1.0
      n == 1.5                    | -                                    | meta["n"] == 1.5
      n > 2                       | meta["n"] > 2                        | meta["n"] > 2.0
      n >= 2                      | meta["n"] >= 2                       | meta["n"] >= 2.0
      n < 2                       | meta["n"] < 2                        | meta["n"] < 2.0
      n <= -2.5                   | meta["n"] <= -3                      | meta["n"] <= -2.5
      n > 2.5                     | meta["n"] > 2                        | meta["n"] > 2.5
      n >= 2.5                    | meta["n"] >= 3                       | meta["n"] >= 2.5
      n < 2.5                     | meta["n"] < 3                        | meta["n"] < 2.5
      n < -2.5                    | meta["n"] < -2                       | meta["n"] < -2.5
      n >= 1e20                   | -                                    | meta["n"] >= 100000000000000000000.0
      n < 1e20                    | *                                    | meta["n"] < 100000000000000000000.0
      n > -1e19                   | *                                    | meta["n"] > -10000000000000000000.0
      n <= -1e19                  | -                                    | meta["n"] <= -10000000000000000000.0
      n == 1e-7                   | -                                    | meta["n"] == 0.0000001
      n == -0.0                   | meta["n"] == 0                       | meta["n"] == 0.0
      n == 9007199254740993       | meta["n"] == 9007199254740993        | -
      n > 9007199254740993        | meta["n"] > 9007199254740993         | meta["n"] >= 9007199254740994.0
      n <= 9007199254740993       | meta["n"] <= 9007199254740993        | meta["n"] <= 9007199254740992.0
      n == 9007199254740992       | meta["n"] == 9007199254740992        | meta["n"] == 9007199254740992.0
      n > 9007199254740992.0      | meta["n"] > 9007199254740992         | meta["n"] > 9007199254740992.0
      n == 9223372036854775807    | meta["n"] == 9223372036854775807     | -
      n >= 9223372036854775807    | meta["n"] >= 9223372036854775807     | meta["n"] >= 9223372036854776000.0
      n < 9223372036854775807     | meta["n"] < 9223372036854775807      | meta["n"] <= 9223372036854774800.0
      n == 9.223372036854776E18   | -                                    | meta["n"] == 9223372036854776000.0
      n < 9.223372036854776E18    | *                                    | meta["n"] < 9223372036854776000.0
      n == -9.223372036854776E18  | meta["n"] < -9223372036854775807     | meta["n"] == -9223372036854776000.0
      n == -9223372036854775808   | meta["n"] < -9223372036854775807     | meta["n"] == -9223372036854776000.0
      n > -9223372036854775808    | meta["n"] >= -9223372036854775807    | meta["n"] > -9223372036854776000.0
      n >= -9223372036854775808   | *                                    | meta["n"] >= -9223372036854776000.0
      n < -9223372036854775808    | -                                    | meta["n"] < -9223372036854776000.0
      n <= -9223372036854775808   | meta["n"] < -9223372036854775807     | meta["n"] <= -9223372036854776000.0
      n > -9223372036854775807    | meta["n"] > -9223372036854775807     | meta["n"] >= -9223372036854774800.0
      """)
  void numbers(String filter, String onLongs, String onDoubles) {
    assertEquals(num("n", nullable(onLongs), nullable(onDoubles)), MilvusExpressions.translate(Filter.parse(filter)));
  }

  @Test
  void numbersInIsSplitByType() {
    assertEquals(num("n", "(meta[\"n\"] == 9007199254740993) or (meta[\"n\"] == 1)",
            "(meta[\"n\"] == 1.0) or (meta[\"n\"] == 1.5)"),
        MilvusExpressions.translate(Filter.parse("n in [9007199254740993, 1, 1.5, 1]")));
    assertEquals(num("n", null, "meta[\"n\"] == 0.5"), MilvusExpressions.translate(Filter.parse("n in [0.5]")));
  }

  @Test
  void stringEqualityMatchesStringsAndListElements() {
    assertEquals(STR_CAT_A, MilvusExpressions.translate(Filter.parse("cat == 'a'")));
  }

  @Test
  void booleans() {
    assertEquals("((exists qtypes[\"flag\"]) and ((qtypes[\"flag\"] == \"b\" and meta[\"flag\"] == true)))",
        MilvusExpressions.translate(Filter.parse("flag == true")));
    assertEquals("not (((exists qtypes[\"flag\"]) and ((qtypes[\"flag\"] == \"b\" and meta[\"flag\"] == false))))",
        MilvusExpressions.translate(Filter.parse("flag != false")));
  }

  @Test
  void notEqualIsTheNegationOfTheTotalAtom() {
    assertEquals("not (" + STR_CAT_A + ")", MilvusExpressions.translate(Filter.parse("cat != 'a'")));
  }

  @Test
  void inGroupsByType() {
    assertEquals("((exists qtypes[\"cat\"]) and ((qtypes[\"cat\"] == \"s\" and (meta[\"cat\"] == \"a\" or meta[\"cat\"] == \"b\"))"
        + " or (qtypes[\"cat\"] == \"l\" and json_contains_any(meta[\"cat\"], [\"a\", \"b\"]))"
        + " or (qtypes[\"cat\"] == \"i\" and (meta[\"cat\"] == 1)) or (qtypes[\"cat\"] == \"f\" and (meta[\"cat\"] == 1.0))"
        + " or (qtypes[\"cat\"] == \"b\" and (meta[\"cat\"] == true))))",
        MilvusExpressions.translate(Filter.parse("cat in ['a', 'b', 1, true]")));
    assertEquals("not (((exists qtypes[\"cat\"]) and ((qtypes[\"cat\"] == \"s\" and (meta[\"cat\"] == \"x\"))"
        + " or (qtypes[\"cat\"] == \"l\" and json_contains_any(meta[\"cat\"], [\"x\"])))))",
        MilvusExpressions.translate(Filter.parse("cat not in ['x', 'x']")));
  }

  @Test
  void existsAndNot() {
    assertEquals("(exists meta[\"cat\"])", MilvusExpressions.translate(Filter.parse("exists(cat)")));
    assertEquals("not ((exists meta[\"cat\"]))", MilvusExpressions.translate(Filter.parse("not exists(cat)")));
    assertEquals("not (not ((exists meta[\"cat\"])))", MilvusExpressions.translate(Filter.parse("not not exists(cat)")));
  }

  @Test
  void andOrParenthesiseEveryOperand() {
    assertEquals("((" + STR_CAT_A + ") and (((" + num("n", "meta[\"n\"] > 1", "meta[\"n\"] > 1.0") + ") or ("
        + "((exists qtypes[\"flag\"]) and ((qtypes[\"flag\"] == \"b\" and meta[\"flag\"] == false)))))))",
        MilvusExpressions.translate(Filter.parse("cat == 'a' and (n > 1 or flag == false)")));
    assertEquals("(((exists meta[\"a\"])) or ((exists meta[\"b\"])) or ((exists meta[\"c\"])))",
        MilvusExpressions.translate(Filter.parse("exists(a) or exists(b) or exists(c)")));
  }

  @Test
  void stringLiteralsAreEscaped() {
    assertEquals("\"say \\\"hi\\\" \\\\ it's\\n\\r\\t\"", MilvusExpressions.string("say \"hi\" \\ it's\n\r\t"));
    assertEquals("\"\\\") or true or (\\\"\"", MilvusExpressions.string("\") or true or (\""));
    assertEquals("\"ünï 日本 🙂\"", MilvusExpressions.string("ünï 日本 🙂"), "non-ASCII is written raw (Lite rejects \\u)");
    assertEquals("\"\u0001\u007f\"", MilvusExpressions.string("\u0001\u007f"));
    assertEquals("\"\"", MilvusExpressions.string(""));
    assertThrows(InvalidFilterException.class, () -> MilvusExpressions.string("bad \ud800 surrogate"));
    assertThrows(InvalidFilterException.class, () -> MilvusExpressions.translate(Filter.eq("s", "x\udc00")));
  }

  @Test
  void injectionAttemptsStayInsideTheLiteral() {
    for (String evil : List.of("') or true or ('", "\" or 1==1 or \"", "x\" or meta[\"tenant\"] != \"", "\\\" or true or \\\"",
        "x\\", "\n) or (true")) {
      String expr = MilvusExpressions.translate(Filter.eq("s", evil));
      String literal = MilvusExpressions.string(evil);
      assertEquals("((exists qtypes[\"s\"]) and ((qtypes[\"s\"] == \"s\" and meta[\"s\"] == " + literal
          + ") or (qtypes[\"s\"] == \"l\" and json_contains(meta[\"s\"], " + literal + "))))", expr);
      // the literal is one token: after removing escaped characters there is no quote inside it
      String inner = literal.substring(1, literal.length() - 1).replace("\\\\", "").replace("\\\"", "");
      assertEquals(-1, inner.indexOf('"'), literal);
      assertEquals(-1, inner.indexOf('\n'), literal);
    }
  }

  @Test
  void ids() {
    assertEquals("id in [\"a\", \"b\\\"c\"]", MilvusExpressions.idIn(List.of("a", "b\"c")));
    assertEquals("id > \"x\\\\\"", MilvusExpressions.idAfter("x\\"));
  }
}
