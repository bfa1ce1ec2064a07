package dev.quiver.conformance;

import dev.quiver.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random {@link Filter} trees for property tests: every node kind ({@code ==}, {@code !=}, ranges,
 * {@code in}, {@code not in}, {@code exists}, {@code not}, {@code and}, {@code or}), nesting depth at
 * most {@value #MAX_DEPTH}, with literals of every type on every field so that type mismatches,
 * missing keys and long/double comparisons come up often. Deterministic for a given seed.
 */
public final class FilterGenerator {

  /** Deepest tree generated (a leaf has depth 1). */
  public static final int MAX_DEPTH = 4;

  private final Random random;
  private final ValuePool pool;

  /**
   * @param seed the seed; the same seed gives the same filters
   * @param pool fields and literals to draw from (use the pool the data was generated from)
   */
  public FilterGenerator(long seed, ValuePool pool) {
    this.random = new Random(seed);
    this.pool = pool;
  }

  /** @return a random filter of depth 1..{@value #MAX_DEPTH} */
  public Filter next() {
    return node(1 + random.nextInt(MAX_DEPTH));
  }

  /**
   * @param count how many
   * @return that many random filters
   */
  public List<Filter> next(int count) {
    List<Filter> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(next());
    }
    return out;
  }

  private Filter node(int depth) {
    if (depth <= 1 || random.nextInt(4) == 0) {
      return leaf(depth >= 2); // a negated predicate is two levels deep (Not around the predicate)
    }
    return switch (random.nextInt(3)) {
      case 0 -> Filter.not(node(depth - 1));
      case 1 -> Filter.allOf(children(depth - 1));
      default -> Filter.anyOf(children(depth - 1));
    };
  }

  private Filter[] children(int depth) {
    Filter[] children = new Filter[2 + random.nextInt(2)];
    for (int i = 0; i < children.length; i++) {
      children[i] = node(depth);
    }
    return children;
  }

  /** @return a random predicate: comparison, range, in, exists, or their negations */
  public Filter leaf() {
    return leaf(true);
  }

  private Filter leaf(boolean negationAllowed) {
    String field = pick(pool.fields());
    int kind = random.nextInt(9);
    if (!negationAllowed && (kind == 2 || kind == 7 || kind == 8)) {
      return random.nextBoolean() ? Filter.in(field, literals()) : Filter.exists(field);
    }
    return switch (kind) {
      case 0, 1 -> Filter.eq(field, literal());
      case 2 -> Filter.ne(field, literal());
      case 3 -> Filter.gt(field, number());
      case 4 -> Filter.gte(field, number());
      case 5 -> Filter.lt(field, number());
      case 6 -> Filter.lte(field, number());
      case 7 -> random.nextBoolean() ? Filter.in(field, literals()) : Filter.notIn(field, literals().toArray());
      default -> random.nextBoolean() ? Filter.exists(field) : Filter.not(Filter.exists(field));
    };
  }

  private List<Object> literals() {
    int n = 1 + random.nextInt(4);
    List<Object> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(literal());
    }
    return out;
  }

  private Object literal() {
    return switch (random.nextInt(5)) {
      case 0, 1 -> pick(pool.strings());
      case 2, 3 -> number();
      default -> random.nextBoolean();
    };
  }

  private Number number() {
    return random.nextBoolean() ? pick(pool.longs()) : pick(pool.doubles());
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
