package dev.quiver.local.internal.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.Filter;
import dev.quiver.Metadata;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The metadata index must admit exactly the records the reference evaluator {@link Filter#matches}
 * admits: seeded random metadata (missing keys, mixed types per key, lists, longs beyond 2^53) and
 * seeded random filter trees, compared record by record, also after removals and updates.
 */
class MetadataIndexTest {

  private static final String[] KEYS = {"a", "b", "c", "tags"};
  private static final Object[] VALUES = {
      "x", "y", "", "X", 0L, 1L, -1L, 1.0, 0.5, -0.0, 2.5, (1L << 53) + 1, (double) (1L << 53), Long.MAX_VALUE,
      9.223372036854775807E18, true, false, List.of("x", "z"), List.of(), List.of("y")};

  @Test
  void agreesWithTheReferenceEvaluator() {
    Random rnd = new Random(17);
    int n = 400;
    Metadata[] md = new Metadata[n];
    MetadataIndex index = new MetadataIndex();
    for (int i = 0; i < n; i++) {
      md[i] = randomMetadata(rnd);
      index.add(i, md[i]);
    }
    // churn: remove some, re-add others with new metadata
    for (int i = 0; i < n; i += 7) {
      index.remove(i, md[i]);
      md[i] = null;
    }
    for (int i = 3; i < n; i += 11) {
      if (md[i] != null) {
        index.remove(i, md[i]);
        md[i] = randomMetadata(rnd);
        index.add(i, md[i]);
      }
    }
    for (int t = 0; t < 3_000; t++) {
      Filter f = randomFilter(rnd, 3);
      BitSet got = index.evaluate(f);
      BitSet want = new BitSet();
      for (int i = 0; i < n; i++) {
        if (md[i] != null && f.matches(md[i])) {
          want.set(i);
        }
      }
      assertEquals(want, got, () -> "filter " + f);
    }
  }

  @Test
  void postingsSwitchRepresentationWithoutLosingMembers() {
    MetadataIndex index = new MetadataIndex();
    for (int i = 0; i < 5_000; i++) {
      index.add(i, Metadata.of("k", i % 2 == 0 ? "even" : "odd", "u", "id" + i));
    }
    assertEquals(2_500, index.evaluate(Filter.eq("k", "even")).cardinality());
    for (int i = 0; i < 5_000; i += 2) {
      index.remove(i, Metadata.of("k", "even", "u", "id" + i));
    }
    assertEquals(0, index.evaluate(Filter.eq("k", "even")).cardinality());
    assertEquals(2_500, index.evaluate(Filter.ne("k", "even")).cardinality());
    assertEquals(1, index.evaluate(Filter.eq("u", "id3")).cardinality());
    assertEquals(2_500, index.size());
  }

  private static Metadata randomMetadata(Random rnd) {
    Metadata.Builder b = Metadata.builder();
    for (String k : KEYS) {
      if (rnd.nextInt(4) != 0) {
        Object v = VALUES[rnd.nextInt(VALUES.length)];
        if (k.equals("tags") && rnd.nextBoolean()) {
          v = List.of("x", "y", "z").subList(0, rnd.nextInt(4));
        }
        b.put(k, v);
      }
    }
    return b.build();
  }

  private static Object literal(Random rnd) {
    Object v;
    do {
      v = VALUES[rnd.nextInt(VALUES.length)];
    } while (v instanceof List);
    return v;
  }

  private static Number number(Random rnd) {
    Object v;
    do {
      v = VALUES[rnd.nextInt(VALUES.length)];
    } while (!(v instanceof Number));
    return (Number) v;
  }

  private static Filter randomFilter(Random rnd, int depth) {
    String key = rnd.nextInt(10) == 0 ? "missing" : KEYS[rnd.nextInt(KEYS.length)];
    int choice = rnd.nextInt(depth > 0 ? 10 : 7);
    return switch (choice) {
      case 0 -> Filter.eq(key, literal(rnd));
      case 1 -> Filter.ne(key, literal(rnd));
      case 2 -> switch (rnd.nextInt(4)) {
        case 0 -> Filter.gt(key, number(rnd));
        case 1 -> Filter.gte(key, number(rnd));
        case 2 -> Filter.lt(key, number(rnd));
        default -> Filter.lte(key, number(rnd));
      };
      case 3 -> Filter.in(key, literal(rnd), literal(rnd));
      case 4 -> Filter.notIn(key, literal(rnd), literal(rnd), literal(rnd));
      case 5 -> Filter.exists(key);
      case 6 -> Filter.gte(key, number(rnd)).and(Filter.lt(key, number(rnd)));
      case 7 -> Filter.not(randomFilter(rnd, depth - 1));
      case 8 -> Filter.allOf(operands(rnd, depth));
      default -> Filter.anyOf(operands(rnd, depth));
    };
  }

  private static Filter[] operands(Random rnd, int depth) {
    List<Filter> ops = new ArrayList<>();
    for (int i = 0, n = 2 + rnd.nextInt(2); i < n; i++) {
      ops.add(randomFilter(rnd, depth - 1));
    }
    return ops.toArray(new Filter[0]);
  }

}
