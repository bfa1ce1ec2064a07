package dev.quiver.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Filter;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The builder and the text syntax are two spellings of one tree, for every generated filter. */
class FilterRoundTripPropertyTest {

  @Test
  void generatedFiltersRoundTripThroughText() {
    long seed = Long.getLong(VectorStoreConformanceKit.SEED_PROPERTY, 20261126L);
    for (ValuePool pool : new ValuePool[] {ValuePool.standard(), ValuePool.withExactLongs()}) {
      FilterGenerator gen = new FilterGenerator(seed, pool);
      Set<String> distinct = new HashSet<>();
      for (int i = 0; i < 2000; i++) {
        Filter f = gen.next();
        String text = f.toString();
        distinct.add(text);
        assertEquals(f, Filter.parse(text), "seed " + seed + ", filter #" + i + ": " + text);
        assertEquals(text, Filter.parse(text).toString(), "printing is canonical: " + text);
      }
      assertTrue(distinct.size() > 1500, "the generator repeats itself: " + distinct.size() + " distinct of 2000");
    }
  }

  @Test
  void generatorCoversEveryNodeKindAndStaysShallow() {
    FilterGenerator gen = new FilterGenerator(7, ValuePool.standard());
    Set<Class<?>> kinds = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      Filter f = gen.next();
      collect(f, kinds);
      assertTrue(depth(f) <= FilterGenerator.MAX_DEPTH, "too deep: " + f);
    }
    assertEquals(Set.of(Filter.Comparison.class, Filter.In.class, Filter.Exists.class, Filter.Not.class,
        Filter.And.class, Filter.Or.class), kinds);
  }

  @Test
  void sameSeedSameFilters() {
    assertEquals(new FilterGenerator(42, ValuePool.standard()).next(50),
        new FilterGenerator(42, ValuePool.standard()).next(50));
    assertEquals(new DatasetGenerator(42, ValuePool.standard()).records("r", 20, 4),
        new DatasetGenerator(42, ValuePool.standard()).records("r", 20, 4));
  }

  static void collect(Filter f, Set<Class<?>> kinds) {
    kinds.add(f.getClass());
    if (f instanceof Filter.Not n) {
      collect(n.operand(), kinds);
    } else if (f instanceof Filter.And a) {
      a.operands().forEach(o -> collect(o, kinds));
    } else if (f instanceof Filter.Or o) {
      o.operands().forEach(x -> collect(x, kinds));
    }
  }

  static int depth(Filter f) {
    if (f instanceof Filter.Not n) {
      return 1 + depth(n.operand());
    }
    if (f instanceof Filter.And a) {
      return 1 + a.operands().stream().mapToInt(FilterRoundTripPropertyTest::depth).max().orElse(0);
    }
    if (f instanceof Filter.Or o) {
      return 1 + o.operands().stream().mapToInt(FilterRoundTripPropertyTest::depth).max().orElse(0);
    }
    return 1;
  }
}
