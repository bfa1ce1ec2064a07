package dev.quiver.conformance;

import dev.quiver.Metadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The hand-written filter table: a fixed small dataset whose metadata is designed around the
 * semantic edges of {@code docs/filter-language.md} (Semantics), and filter texts with the ids each
 * must match. Every expectation was written by hand from the rules, not computed; the kit checks
 * each row against the reference evaluator ({@link dev.quiver.Filter#matches}) as well as against
 * the backend, so a wrong row and a wrong evaluator both show up.
 *
 * <p>The dataset ({@link #dataset()}), in short: {@code s} is a string field (with case, whitespace,
 * quote, backslash, newline, tab, LIKE-wildcard and non-BMP variants) except on {@code f05} and
 * {@code f14} where it is missing; {@code n} is numeric, mixing longs and doubles ({@code 1},
 * {@code 1.0}, {@code 2}, {@code 2.0}, {@code 1e10}, {@code -0.5}) but is the string {@code '1'} on
 * {@code f12}; {@code b} is boolean except the string {@code 'true'} on {@code f04} and the long
 * {@code 1} on {@code f08}; {@code tags} is a list of strings (one empty) except the scalar
 * {@code 'a'} on {@code f04}; {@code x} holds a different type on every record; {@code u} holds
 * composed and decomposed accents; {@code S} differs from {@code s} only in case; {@code k_2}
 * is {@code 5} on one record and {@code '5'} on another.
 */
public final class FilterCases {

  private FilterCases() {}

  /**
   * One row of the table.
   *
   * @param filter the filter text, as a user would write it
   * @param expected the ids it matches in its dataset
   */
  public record Case(String filter, Set<String> expected) {
    /**
     * Copies the ids into a sorted set.
     *
     * @param filter the filter text
     * @param expected the ids it matches
     */
    public Case {
      expected = Collections.unmodifiableSet(new TreeSet<>(expected));
    }
  }

  private static final Map<String, Metadata> DATASET = buildDataset();
  private static final Map<String, Metadata> LONGS = buildLongs();

  /** @return ids {@code f01..f18} and their metadata, in id order */
  public static Map<String, Metadata> dataset() {
    return DATASET;
  }

  /**
   * The dataset of {@link #exactLongCases()}: longs around ±2^53 and at the extremes. Kept apart
   * because a backend without {@link dev.quiver.Feature#EXACT_LONGS} must reject these values.
   *
   * @return ids {@code g1..g8} and their metadata
   */
  public static Map<String, Metadata> exactLongDataset() {
    return LONGS;
  }

  private static Map<String, Metadata> buildDataset() {
    Map<String, Metadata> m = new LinkedHashMap<>();
    m.put("f01", Metadata.of("s", "a", "n", 1L, "b", true, "tags", List.of("a", "b"), "x", 1L));
    m.put("f02", Metadata.of("s", "A", "n", 1.0, "b", false, "tags", List.of("b"), "x", "1"));
    m.put("f03", Metadata.of("s", "b", "n", 2L, "b", true, "tags", List.of(), "x", true));
    m.put("f04", Metadata.of("s", "", "n", 2.5, "b", "true", "tags", "a", "x", List.of("1", "a")));
    m.put("f05", Metadata.empty());
    m.put("f06", Metadata.of("s", "it's", "n", -3L, "tags", List.of("c", "a"), "x", 1.5));
    m.put("f07", Metadata.of("s", "say \"hi\"", "n", 0L, "b", false, "x", "a"));
    m.put("f08", Metadata.of("s", "back\\slash", "n", -0.5, "b", 1L, "tags", List.of("x y")));
    m.put("f09", Metadata.of("s", "') or true or ('", "n", 100L, "tags", List.of("a"), "x", false));
    m.put("f10", Metadata.of("s", "日本語", "n", 1.0e10, "b", true, "u", "ü"));
    m.put("f11", Metadata.of("s", "🙂", "n", 3L, "tags", List.of("🙂", "é"), "u", "\u00e9"));
    m.put("f12", Metadata.of("s", "a ", "n", "1", "b", false));
    m.put("f13", Metadata.of("s", "line\nbreak", "n", 2.0, "tags", List.of("A", "a")));
    m.put("f14", Metadata.of("tags", List.of("b", "c"), "x", 2L, "b", true));
    m.put("f15", Metadata.of("s", "tab\tx", "n", 7L, "x", -1.0, "u", "e\u0301"));
    m.put("f16", Metadata.of("s", "b", "n", 1L, "S", "a", "k_2", 5L));
    m.put("f17", Metadata.of("s", "%_*", "n", -7.25, "b", false, "tags", List.of("%"), "k_2", "5"));
    m.put("f18", Metadata.of("s", "a", "n", 1.5, "b", true, "x", 1.0));
    return Collections.unmodifiableMap(m);
  }

  private static Map<String, Metadata> buildLongs() {
    Map<String, Metadata> m = new LinkedHashMap<>();
    m.put("g1", Metadata.of("big", 9_007_199_254_740_993L));
    m.put("g2", Metadata.of("big", 9_007_199_254_740_992L));
    m.put("g3", Metadata.of("big", 9_007_199_254_740_992.0));
    m.put("g4", Metadata.of("big", Long.MAX_VALUE));
    m.put("g5", Metadata.of("big", Long.MIN_VALUE));
    m.put("g6", Metadata.of("big", -9_007_199_254_740_993L));
    m.put("g7", Metadata.empty());
    m.put("g8", Metadata.of("big", 9_007_199_254_740_994L));
    return Collections.unmodifiableMap(m);
  }

  /** @return the main table, over {@link #dataset()} */
  public static List<Case> cases() {
    List<Case> t = new ArrayList<>();
    // ---- strings: exact, case-sensitive; missing key and other types never equal ----
    t.add(c("s == 'a'", "f01 f18"));
    t.add(c("s == 'A'", "f02"));
    t.add(c("s == \"a\"", "f01 f18"));
    t.add(c("s != 'a'", allBut("f01 f18")));
    t.add(c("s == ''", "f04"));
    t.add(c("s != ''", allBut("f04")));
    t.add(c("s == 'a '", "f12"));
    t.add(c("s in ['a', 'b']", "f01 f03 f16 f18"));
    t.add(c("s not in ['a', 'b']", allBut("f01 f03 f16 f18")));
    t.add(c("s == 'B'", ""));
    t.add(c("s in ['zzz']", ""));
    t.add(c("s not in ['zzz']", all()));
    t.add(c("s == 1", ""));
    t.add(c("s != 1", all()));
    t.add(c("s > 1", ""));
    t.add(c("not (s > 1)", all()));
    t.add(c("s == true", ""));
    t.add(c("exists(s)", allBut("f05 f14")));
    t.add(c("not exists(s)", "f05 f14"));
    t.add(c("s in ['a', 1, true]", "f01 f18"));
    t.add(c("S == 'a'", "f16"));
    // ---- quotes, backslashes, control characters, unicode ----
    t.add(c("s == 'it\\'s'", "f06"));
    t.add(c("s == \"it's\"", "f06"));
    t.add(c("s == 'say \"hi\"'", "f07"));
    t.add(c("s == \"say \\\"hi\\\"\"", "f07"));
    t.add(c("s == 'back\\\\slash'", "f08"));
    t.add(c("s == '\\') or true or (\\''", "f09"));
    t.add(c("s == \"') or true or ('\"", "f09"));
    t.add(c("s != \"') or true or ('\"", allBut("f09")));
    t.add(c("s == '日本語'", "f10"));
    t.add(c("s == '🙂'", "f11"));
    t.add(c("s == '\\u65e5\\u672c\\u8a9e'", "f10"));
    t.add(c("s == 'line\\nbreak'", "f13"));
    t.add(c("s == 'tab\\tx'", "f15"));
    t.add(c("s == '%_*'", "f17"));
    t.add(c("s == '%'", ""));
    t.add(c("u == 'é'", "f11"));
    t.add(c("u == 'e\\u0301'", "f15"));
    t.add(c("u != 'é'", allBut("f11")));
    t.add(c("u in ['ü', 'é']", "f10 f11"));
    // ---- numbers: long and double compare numerically; ranges only on numbers ----
    t.add(c("n == 1", "f01 f02 f16"));
    t.add(c("n == 1.0", "f01 f02 f16"));
    t.add(c("n != 1", allBut("f01 f02 f16")));
    t.add(c("n == 2", "f03 f13"));
    t.add(c("n == 2.5", "f04"));
    t.add(c("n > 1", "f03 f04 f09 f10 f11 f13 f15 f18"));
    t.add(c("n >= 1", "f01 f02 f03 f04 f09 f10 f11 f13 f15 f16 f18"));
    t.add(c("n < 1", "f06 f07 f08 f17"));
    t.add(c("n <= 0", "f06 f07 f08 f17"));
    t.add(c("n < 0", "f06 f08 f17"));
    t.add(c("n > -1 and n < 1", "f07 f08"));
    t.add(c("n >= 1.5 and n <= 2.5", "f03 f04 f13 f18"));
    t.add(c("not (n > 1)", "f01 f02 f05 f06 f07 f08 f12 f14 f16 f17"));
    t.add(c("n == '1'", "f12"));
    t.add(c("n == 0", "f07"));
    t.add(c("n == -0.0", "f07"));
    t.add(c("n > 9999999999", "f10"));
    t.add(c("n == 10000000000", "f10"));
    t.add(c("n == 1e10", "f10"));
    t.add(c("n in [1, 2]", "f01 f02 f03 f13 f16"));
    t.add(c("n in [2.5, 100]", "f04 f09"));
    t.add(c("n not in [1, 2]", allBut("f01 f02 f03 f13 f16")));
    t.add(c("n in ['1']", "f12"));
    t.add(c("n > -7.25", allBut("f05 f12 f14 f17")));
    t.add(c("n >= -7.25", allBut("f05 f12 f14")));
    t.add(c("exists(n) and not (n >= -1000)", "f12"));
    t.add(c("n == true", ""));
    t.add(c("n != 1.5", allBut("f18")));
    // ---- booleans ----
    t.add(c("b == true", "f01 f03 f10 f14 f18"));
    t.add(c("b == false", "f02 f07 f12 f17"));
    t.add(c("b != true", allBut("f01 f03 f10 f14 f18")));
    t.add(c("b == 'true'", "f04"));
    t.add(c("b == 1", "f08"));
    t.add(c("b in [true, 'true', 1]", "f01 f03 f04 f08 f10 f14 f18"));
    t.add(c("not (b == true) and exists(b)", "f02 f04 f07 f08 f12 f17"));
    t.add(c("b == TRUE", "f01 f03 f10 f14 f18"));
    t.add(c("B == true", ""));
    // ---- lists of strings: == and in match any element ----
    t.add(c("tags == 'a'", "f01 f04 f06 f09 f13"));
    t.add(c("tags == 'b'", "f01 f02 f14"));
    t.add(c("tags != 'a'", allBut("f01 f04 f06 f09 f13")));
    t.add(c("tags in ['c', 'x y']", "f06 f08 f14"));
    t.add(c("tags not in ['a', 'b']", allBut("f01 f02 f04 f06 f09 f13 f14")));
    t.add(c("tags == 'A'", "f13"));
    t.add(c("tags == 'x'", ""));
    t.add(c("exists(tags)", "f01 f02 f03 f04 f06 f08 f09 f11 f13 f14 f17"));
    t.add(c("not exists(tags)", "f05 f07 f10 f12 f15 f16 f18"));
    t.add(c("tags == 'a' and tags == 'b'", "f01"));
    t.add(c("tags == '🙂'", "f11"));
    t.add(c("tags == 1", ""));
    t.add(c("tags > 1", ""));
    t.add(c("tags == '%'", "f17"));
    t.add(c("exists(tags) and not (tags in ['a', 'b', 'c'])", "f03 f08 f11 f17"));
    // ---- a field with a different type on every record ----
    t.add(c("x == 1", "f01 f18"));
    t.add(c("x == '1'", "f02 f04"));
    t.add(c("x == true", "f03"));
    t.add(c("x == false", "f09"));
    t.add(c("x != true", allBut("f03")));
    t.add(c("x > 0", "f01 f06 f14 f18"));
    t.add(c("x <= 1", "f01 f15 f18"));
    t.add(c("x in [1, '1', true]", "f01 f02 f03 f04 f18"));
    t.add(c("x not in [1, '1', true]", allBut("f01 f02 f03 f04 f18")));
    t.add(c("x == 'a'", "f04 f07"));
    t.add(c("exists(x)", "f01 f02 f03 f04 f06 f07 f09 f14 f15 f18"));
    t.add(c("x == -1", "f15"));
    t.add(c("k_2 == 5", "f16"));
    t.add(c("k_2 == '5'", "f17"));
    t.add(c("k_2 in [5, '5']", "f16 f17"));
    // ---- precedence: not > and > or; both spellings of the operators ----
    t.add(c("s == 'a' or s == 'b' and n == 2", "f01 f03 f18"));
    t.add(c("(s == 'a' or s == 'b') and n == 1", "f01 f16"));
    t.add(c("not s == 'a' and n == 1", "f02 f16"));
    t.add(c("not (s == 'a' and n == 1)", allBut("f01")));
    t.add(c("s == 'b' or not exists(s)", "f03 f05 f14 f16"));
    t.add(c("n == 1 || n == 2 && b == true", "f01 f02 f03 f16"));
    t.add(c("! exists(b) && exists(tags)", "f06 f09 f11 f13"));
    t.add(c("not not s == 'a'", "f01 f18"));
    t.add(c("s == 'a' AND n == 1 OR s == 'A'", "f01 f02"));
    t.add(c("s == 'a' and (n == 1 or n == 1.5)", "f01 f18"));
    t.add(c("not (s == 'a' or s == 'b')", allBut("f01 f03 f16 f18")));
    t.add(c("s != 'a' and s != 'b'", allBut("f01 f03 f16 f18")));
    t.add(c("exists(s) or exists(n) or exists(tags)", allBut("f05")));
    t.add(c("exists(b) and b != true", "f02 f04 f07 f08 f12 f17"));
    t.add(c("n > 0 and n < 3 and not n == 2", "f01 f02 f04 f16 f18"));
    t.add(c("(s == 'a')", "f01 f18"));
    t.add(c("((exists(u)))", "f10 f11 f15"));
    // ---- a key no record has ----
    t.add(c("exists(nope)", ""));
    t.add(c("not exists(nope)", all()));
    t.add(c("nope != 1", all()));
    t.add(c("nope not in ['a']", all()));
    t.add(c("nope == 1 or s == 'A'", "f02"));
    return List.copyOf(t);
  }

  /** @return the cases over {@link #exactLongDataset()}, for backends with {@link dev.quiver.Feature#EXACT_LONGS} */
  public static List<Case> exactLongCases() {
    String allG = "g1 g2 g3 g4 g5 g6 g7 g8";
    List<Case> t = new ArrayList<>();
    t.add(c("big == 9007199254740993", "g1"));
    t.add(c("big == 9007199254740992", "g2 g3"));
    t.add(c("big == 9007199254740992.0", "g2 g3"));
    t.add(c("big == 9007199254740994", "g8"));
    t.add(c("big != 9007199254740993", minus(allG, "g1")));
    t.add(c("big > 9007199254740992", "g1 g4 g8"));
    t.add(c("big >= 9007199254740993", "g1 g4 g8"));
    t.add(c("big < 9007199254740993", "g2 g3 g5 g6"));
    t.add(c("big > 9007199254740992.0", "g1 g4 g8"));
    t.add(c("big in [9007199254740993, 1]", "g1"));
    t.add(c("big == 9223372036854775807", "g4"));
    t.add(c("big == -9223372036854775808", "g5"));
    t.add(c("big < -9007199254740992", "g5 g6"));
    t.add(c("big == 9.223372036854776E18", ""));
    t.add(c("big >= 9.223372036854776E18", ""));
    t.add(c("big < 9.223372036854776E18", "g1 g2 g3 g4 g5 g6 g8"));
    t.add(c("big == -9.223372036854776E18", "g5"));
    t.add(c("big not in [9007199254740992]", "g1 g4 g5 g6 g7 g8"));
    return List.copyOf(t);
  }

  private static Case c(String filter, String ids) {
    return new Case(filter, ids.isBlank() ? Set.of() : new TreeSet<>(Arrays.asList(ids.trim().split("\\s+"))));
  }

  private static String all() {
    return String.join(" ", DATASET.keySet());
  }

  private static String allBut(String ids) {
    return minus(all(), ids);
  }

  private static String minus(String from, String ids) {
    Set<String> out = new TreeSet<>(Arrays.asList(from.split("\\s+")));
    out.removeAll(Arrays.asList(ids.split("\\s+")));
    return String.join(" ", out);
  }
}
