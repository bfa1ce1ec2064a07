package dev.quiver.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quiver.Filter;
import dev.quiver.InvalidFilterException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link Filter#parse}: random strings and mutations of valid filters either parse (and then
 * round-trip) or throw {@link InvalidFilterException} with a position inside the text; nothing else.
 */
class FilterParserFuzzTest {

  private static final String ALPHABET = "abcxyz_019 ()[],'\"\\=!<>&|.-+eE\t\nnotandorinexiststruefalse🙂é\u0000";
  private static final String[] TOKENS = {"and", "or", "not", "in", "exists", "(", ")", "[", "]", ",", "==", "!=",
      ">", ">=", "<", "<=", "&&", "||", "!", "'a'", "\"b\"", "1", "-2.5", "1e3", "true", "FALSE", "x", "y", " ",
      "'", "\"", "\\", "\\u00e9", "9223372036854775808", "1.", "--1", "=", "NOT IN", "exists(x)"};

  private int parsed;
  private int rejected;

  @Test
  void randomStrings() {
    Random r = new Random(Long.getLong(VectorStoreConformanceKit.SEED_PROPERTY, 1L));
    for (int i = 0; i < 5000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = r.nextInt(30);
      for (int j = 0; j < n; j++) {
        if (r.nextInt(3) == 0) {
          sb.append(TOKENS[r.nextInt(TOKENS.length)]);
        } else {
          sb.appendCodePoint(ALPHABET.codePointAt(ALPHABET.offsetByCodePoints(0,
              r.nextInt(ALPHABET.codePointCount(0, ALPHABET.length())))));
        }
      }
      check(sb.toString());
    }
    assertTrue(rejected > 1000, "the fuzzer should mostly produce errors");
  }

  @Test
  void mutatedValidFilters() {
    long seed = Long.getLong(VectorStoreConformanceKit.SEED_PROPERTY, 2L);
    Random r = new Random(seed);
    FilterGenerator gen = new FilterGenerator(seed, ValuePool.withExactLongs());
    for (int i = 0; i < 5000; i++) {
      String text = gen.next().toString();
      StringBuilder sb = new StringBuilder(text);
      int edits = 1 + r.nextInt(3);
      for (int e = 0; e < edits && sb.length() > 0; e++) {
        int at = r.nextInt(sb.length());
        switch (r.nextInt(4)) {
          case 0 -> sb.deleteCharAt(at);
          case 1 -> sb.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
          case 2 -> sb.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length() - 4)));
          default -> sb.setLength(at); // truncation
        }
      }
      check(sb.toString());
    }
    assertTrue(parsed > 100, "some mutations should still parse, got " + parsed);
    assertTrue(rejected > 1000, "most mutations should be rejected, got " + rejected);
  }

  @Test
  void knownPositions() {
    assertEquals(0, position(""));
    assertEquals(4, position("s =="));
    assertEquals(2, position("s = 1"));
    assertEquals(5, position("s == 'abc"));
    assertEquals(6, position("s == 1)"));
  }

  private static int position(String text) {
    try {
      Filter.parse(text);
    } catch (InvalidFilterException e) {
      return e.position();
    }
    return fail("parsed: " + text);
  }

  private void check(String text) {
    Filter f;
    try {
      f = Filter.parse(text);
    } catch (InvalidFilterException e) {
      rejected++;
      assertTrue(e.position() >= 0 && e.position() <= text.length(),
          "position " + e.position() + " outside [0, " + text.length() + "] for \"" + text + "\": " + e.getMessage());
      return;
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("Filter.parse(\"" + text + "\") threw " + e + " instead of InvalidFilterException", e);
    }
    parsed++;
    assertEquals(f, Filter.parse(f.toString()), "round trip of \"" + text + "\" via \"" + f + "\"");
  }
}
