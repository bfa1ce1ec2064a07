package dev.quiver.qdrant.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Filter;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Range;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The conditions on a declared LONG field select exactly {@code x op literal}, whichever way Qdrant
 * evaluates them: from the integer payload index (the bound rounded to an integer, then an exact i64
 * comparison; a float beyond i64 saturates, as Rust's {@code as} does) or with the payload checker
 * (the stored integer converted to float64 and compared with the bound). Longs near every boundary
 * where float64 rounds (2^53, 2^62, the extremes) are swept against literals on and around them.
 */
class DeclaredLongsTest {

  /** How Qdrant answers a range on an integer field. */
  enum Path { INDEX, CHECKER }

  @Test
  @DisplayName("ranges and equality on a declared LONG agree with the exact comparison on both of Qdrant's paths")
  void exactOnBothPaths() {
    Set<Long> values = new LinkedHashSet<>();
    List<Object> literals = new ArrayList<>();
    for (long base : new long[] {0, 1L << 53, -(1L << 53), 1L << 62, -(1L << 62), Long.MAX_VALUE, Long.MIN_VALUE,
        (1L << 62) + 3000, Long.MAX_VALUE - 5000}) {
      for (long d = -1100; d <= 1100; d += (Math.abs(d) < 20 ? 1 : 37)) {
        long v = base + d;
        if ((d > 0 && v < base) || (d < 0 && v > base)) {
          continue;  // wrapped around
        }
        values.add(v);
        if (Math.abs(d) < 6 || d % 257 == 0) {
          literals.add(v);
          literals.add((double) v);
        }
      }
    }
    literals.addAll(List.of(1.5, -1.5, 0.5, -0.0, 9.2233720368547758E18, -9.2233720368547758E18, 1e19, -1e19,
        9007199254740993.0, 4.611686018427388E18 + 1024.0));
    int checks = 0;
    for (Object lit : literals) {
      for (Filter.Operator op : Filter.Operator.values()) {
        Condition c = DeclaredLongs.condition("n", op, (Number) lit);
        for (long x : values) {
          boolean want = exact(x, op, (Number) lit);
          for (Path p : Path.values()) {
            boolean got = c != null && eval(c, x, p);
            if (want != got) {
              assertEquals(want, got, x + " " + op + " " + lit + " via " + p + ": " + c);
            }
            checks++;
          }
        }
      }
    }
    assertTrue(checks > 50_000, "swept " + checks);
  }

  @Test
  @DisplayName("every bound sent is integral, so a Qdrant that truncates fractional bounds answers the same")
  void boundsAreIntegral() {
    for (double lit : new double[] {1.5, -1.5, 0.25, -0.75, 1e10 + 0.5}) {
      for (Filter.Operator op : List.of(Filter.Operator.GT, Filter.Operator.GTE, Filter.Operator.LT, Filter.Operator.LTE)) {
        String text = DeclaredLongs.condition("n", op, lit).toString();
        assertTrue(!text.contains(".5") && !text.contains(".25") && !text.contains(".75"), op + " " + lit + ": " + text);
      }
    }
  }

  static boolean exact(long x, Filter.Operator op, Number lit) {
    BigDecimal l = lit instanceof Long v ? BigDecimal.valueOf(v) : new BigDecimal(lit.doubleValue());
    int c = BigDecimal.valueOf(x).compareTo(l);
    return switch (op) {
      case EQ -> c == 0;
      case GT -> c > 0;
      case GTE -> c >= 0;
      case LT -> c < 0;
      case LTE -> c <= 0;
    };
  }

  static boolean eval(io.qdrant.client.grpc.Common.Filter f, long x, Path p) {
    for (Condition c : f.getMustList()) {
      if (!eval(c, x, p)) {
        return false;
      }
    }
    if (f.getShouldCount() > 0 && f.getShouldList().stream().noneMatch(c -> eval(c, x, p))) {
      return false;
    }
    return f.getMustNotList().stream().noneMatch(c -> eval(c, x, p));
  }

  static boolean eval(Condition c, long x, Path p) {
    if (c.hasFilter()) {
      return eval(c.getFilter(), x, p);
    }
    FieldCondition fc = c.getField();
    if (fc.hasMatch()) {
      return switch (fc.getMatch().getMatchValueCase()) {
        case INTEGER -> fc.getMatch().getInteger() == x;
        case INTEGERS -> fc.getMatch().getIntegers().getIntegersList().contains(x);
        default -> throw new AssertionError("not emitted: " + fc);
      };
    }
    Range r = fc.getRange();
    if (p == Path.CHECKER) {
      double v = x;
      return (!r.hasGt() || v > r.getGt()) && (!r.hasGte() || v >= r.getGte())
          && (!r.hasLt() || v < r.getLt()) && (!r.hasLte() || v <= r.getLte());
    }
    // the index: ceil for lower bounds, floor for upper bounds, saturating to i64 (Rust's `as`)
    return (!r.hasGt() || x > (long) Math.floor(r.getGt())) && (!r.hasGte() || x >= (long) Math.ceil(r.getGte()))
        && (!r.hasLt() || x < (long) Math.ceil(r.getLt())) && (!r.hasLte() || x <= (long) Math.floor(r.getLte()));
  }
}
