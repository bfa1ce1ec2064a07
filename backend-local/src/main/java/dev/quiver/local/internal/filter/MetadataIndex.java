package dev.quiver.local.internal.filter;

import dev.quiver.Filter;
import dev.quiver.Metadata;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Inverted indexes over record metadata, answering "which records match this filter" exactly as
 * the reference evaluator {@link Filter#matches} would, without looking at every record:
 * <ul>
 *   <li>per key, the set of records that have it ({@code exists});</li>
 *   <li>per key and string, the records whose value is that string <em>or a list containing it</em>
 *       (so {@code ==} and {@code in} on lists match any element);</li>
 *   <li>per key, records holding {@code true} and {@code false};</li>
 *   <li>per key, a sorted map from number to records, ordered exactly across long and double, so
 *       {@code 1 == 1.0} share a key and ranges are sub-maps.</li>
 * </ul>
 * A value of another type is simply absent from the structure a predicate consults, which makes a
 * type mismatch false; a missing key likewise. {@code not F} is the complement of {@code F} within
 * the live records, which is the complement law of the reference semantics.
 *
 * <p><b>Unindexed keys.</b> Every key is indexed except those named at construction (declared metadata
 * fields with {@code indexed = false}: the collection asked not to pay for their index). A filter that
 * names one is answered by {@link #evaluate(Filter, IntFunction)} in two steps: the indexed parts of the
 * tree give a set of candidates that contains every match ({@link #plan}), and the reference evaluator
 * checks only those candidates. So {@code a == 1 and u == 2} with {@code u} unindexed looks at the
 * records with {@code a == 1}, and {@code u == 2} alone looks at every record.
 *
 * <p>Not thread-safe: the owner guards it (writers exclusive, evaluations shared).
 */
public final class MetadataIndex {

  private final Map<String, FieldIndex> fields = new HashMap<>();
  private final BitSet live = new BitSet();
  private int liveCount;
  private final Set<String> unindexed;

  /** An index of every key. */
  public MetadataIndex() {
    this(Set.of());
  }

  /** @param unindexed keys not to index (filters on them are checked record by record) */
  public MetadataIndex(Set<String> unindexed) {
    this.unindexed = Set.copyOf(unindexed);
  }

  private static final class FieldIndex {
    final Posting present = new Posting();
    final Map<String, Posting> strings = new HashMap<>();
    final Posting trues = new Posting();
    final Posting falses = new Posting();
    final TreeMap<Number, Posting> numbers = new TreeMap<>(Filter::compareNumbers);
  }

  /**
   * Indexes a record.
   *
   * @param ord the record's ordinal (not currently indexed)
   * @param metadata its metadata
   */
  public void add(int ord, Metadata metadata) {
    if (!live.get(ord)) {
      live.set(ord);
      liveCount++;
    }
    for (Map.Entry<String, Object> e : metadata.asMap().entrySet()) {
      if (unindexed.contains(e.getKey())) {
        continue;
      }
      FieldIndex f = fields.computeIfAbsent(e.getKey(), k -> new FieldIndex());
      f.present.add(ord);
      Object v = e.getValue();
      if (v instanceof String s) {
        f.strings.computeIfAbsent(s, k -> new Posting()).add(ord);
      } else if (v instanceof List<?> list) {
        for (Object element : list) {
          f.strings.computeIfAbsent((String) element, k -> new Posting()).add(ord);
        }
      } else if (v instanceof Boolean b) {
        (b ? f.trues : f.falses).add(ord);
      } else if (v instanceof Number n) {
        f.numbers.computeIfAbsent(n, k -> new Posting()).add(ord);
      }
    }
  }

  /**
   * Removes a record.
   *
   * @param ord the record's ordinal
   * @param metadata the metadata it was indexed with
   */
  public void remove(int ord, Metadata metadata) {
    if (live.get(ord)) {
      live.clear(ord);
      liveCount--;
    }
    for (Map.Entry<String, Object> e : metadata.asMap().entrySet()) {
      FieldIndex f = fields.get(e.getKey());
      if (f == null) {
        continue;
      }
      f.present.remove(ord);
      Object v = e.getValue();
      if (v instanceof String s) {
        removeFrom(f.strings, s, ord);
      } else if (v instanceof List<?> list) {
        for (Object element : list) {
          removeFrom(f.strings, element, ord);
        }
      } else if (v instanceof Boolean b) {
        (b ? f.trues : f.falses).remove(ord);
      } else if (v instanceof Number n) {
        removeFrom(f.numbers, n, ord);
      }
      if (f.present.isEmpty()) {
        fields.remove(e.getKey());
      }
    }
  }

  private static <K> void removeFrom(Map<K, Posting> map, Object key, int ord) {
    @SuppressWarnings("unchecked")
    K k = (K) key;
    Posting p = map.get(k);
    if (p != null) {
      p.remove(ord);
      if (p.isEmpty()) {
        map.remove(k);
      }
    }
  }

  /** @return how many records are indexed */
  public int size() {
    return liveCount;
  }

  /** @return a copy of the set of indexed ordinals */
  public BitSet all() {
    return (BitSet) live.clone();
  }

  /**
   * @param filter a filter that names only indexed keys ({@link #isIndexed})
   * @return a new set holding exactly the indexed ordinals whose metadata the filter matches
   * @throws IllegalArgumentException if the filter names an unindexed key
   */
  public BitSet evaluate(Filter filter) {
    return evaluate(filter, ord -> {
      throw new IllegalArgumentException("filter " + filter + " names an unindexed key");
    });
  }

  /**
   * @param filter a filter
   * @param metadataOf the current metadata of an indexed ordinal, for the predicates on unindexed keys
   * @return a new set holding exactly the indexed ordinals whose metadata the filter matches
   */
  public BitSet evaluate(Filter filter, IntFunction<Metadata> metadataOf) {
    Plan p = plan(filter);
    if (p.exact()) {
      return p.candidates();
    }
    BitSet candidates = p.candidates() == null ? live : p.candidates();
    BitSet out = new BitSet();
    for (int ord = candidates.nextSetBit(0); ord >= 0; ord = candidates.nextSetBit(ord + 1)) {
      if (filter.matches(metadataOf.apply(ord))) {
        out.set(ord);
      }
    }
    return out;
  }

  /**
   * What the indexes say about a filter.
   *
   * @param candidates the indexed ordinals that may match (every match is among them); null for all of them
   * @param exact true when the candidates are exactly the matches (the filter names only indexed keys,
   *     or the indexed part alone decides, as an empty conjunct does)
   */
  public record Plan(BitSet candidates, boolean exact) {}

  /**
   * @param filter a filter
   * @return its candidates from the indexes; exact unless it names unindexed keys
   */
  public Plan plan(Filter filter) {
    return unindexed.isEmpty() ? new Plan(filter.accept(evaluator), true) : filter.accept(planner);
  }

  /** @return the keys that have index structures now (keys some record holds, except the unindexed ones) */
  public Set<String> indexedKeys() {
    return Set.copyOf(fields.keySet());
  }

  /** @return whether {@code key} is indexed (only keys named at construction are not) */
  public boolean isIndexed(String key) {
    return !unindexed.contains(key);
  }

  /**
   * @param filter a filter
   * @return whether the indexes alone answer it, with no record to check: it names no unindexed key
   */
  public boolean answersAlone(Filter filter) {
    return unindexed.isEmpty() || filter.accept(new Filter.Visitor<Boolean>() {
      @Override
      public Boolean comparison(Filter.Comparison c) {
        return isIndexed(c.field());
      }

      @Override
      public Boolean in(Filter.In in) {
        return isIndexed(in.field());
      }

      @Override
      public Boolean exists(Filter.Exists e) {
        return isIndexed(e.field());
      }

      @Override
      public Boolean not(Filter.Not n) {
        return n.operand().accept(this);
      }

      @Override
      public Boolean and(Filter.And a) {
        return a.operands().stream().allMatch(f -> f.accept(this));
      }

      @Override
      public Boolean or(Filter.Or o) {
        return o.operands().stream().allMatch(f -> f.accept(this));
      }
    });
  }

  /** Each node kind to a new set of matching ordinals. */
  private final Filter.Visitor<BitSet> evaluator = new Filter.Visitor<>() {
    @Override
    public BitSet comparison(Filter.Comparison c) {
      BitSet out = new BitSet();
      FieldIndex f = fields.get(c.field());
      if (f != null) {
        if (c.op() == Filter.Operator.EQ) {
          equal(f, c.value(), out);
        } else {
          range(f, c.op(), (Number) c.value(), out);
        }
      }
      return out;
    }

    @Override
    public BitSet in(Filter.In in) {
      BitSet out = new BitSet();
      FieldIndex f = fields.get(in.field());
      if (f != null) {
        for (Object v : in.values()) {
          equal(f, v, out);
        }
      }
      return out;
    }

    @Override
    public BitSet exists(Filter.Exists e) {
      BitSet out = new BitSet();
      FieldIndex f = fields.get(e.field());
      if (f != null) {
        f.present.orInto(out);
      }
      return out;
    }

    @Override
    public BitSet not(Filter.Not n) {
      BitSet out = (BitSet) live.clone(); // the complement within the live records
      out.andNot(n.operand().accept(this));
      return out;
    }

    @Override
    public BitSet and(Filter.And a) {
      List<Filter> ops = a.operands();
      BitSet out = ops.get(0).accept(this);
      for (int i = 1; i < ops.size() && !out.isEmpty(); i++) {
        out.and(ops.get(i).accept(this));
      }
      return out;
    }

    @Override
    public BitSet or(Filter.Or o) {
      BitSet out = new BitSet();
      for (Filter op : o.operands()) {
        out.or(op.accept(this));
      }
      return out;
    }
  };

  /**
   * Each node kind to its candidates when some keys are unindexed. A predicate on an unindexed key can
   * match anything (null: all); {@code and} intersects what its indexed operands know (and is exact
   * only when all of them are, or when that intersection is already empty); {@code or} is known only
   * when every operand is; {@code not} only of an exact operand (the complement of a superset says
   * nothing).
   */
  private final Filter.Visitor<Plan> planner = new Filter.Visitor<>() {
    @Override
    public Plan comparison(Filter.Comparison c) {
      return leaf(c.field(), c);
    }

    @Override
    public Plan in(Filter.In in) {
      return leaf(in.field(), in);
    }

    @Override
    public Plan exists(Filter.Exists e) {
      return leaf(e.field(), e);
    }

    private Plan leaf(String field, Filter f) {
      return unindexed.contains(field) ? new Plan(null, false) : new Plan(f.accept(evaluator), true);
    }

    @Override
    public Plan not(Filter.Not n) {
      Plan inner = n.operand().accept(this);
      if (!inner.exact()) {
        return new Plan(null, false);
      }
      BitSet out = (BitSet) live.clone();
      out.andNot(inner.candidates());
      return new Plan(out, true);
    }

    @Override
    public Plan and(Filter.And a) {
      BitSet out = null;
      boolean exact = true;
      for (Filter op : a.operands()) {
        Plan p = op.accept(this);
        exact &= p.exact();
        if (p.candidates() != null) {
          if (out == null) {
            out = p.candidates();
          } else {
            out.and(p.candidates());
          }
          if (out.isEmpty()) {
            return new Plan(out, true); // nothing can match, whatever the other operands say
          }
        }
      }
      return new Plan(out, exact);
    }

    @Override
    public Plan or(Filter.Or o) {
      BitSet out = new BitSet();
      boolean exact = true;
      for (Filter op : o.operands()) {
        Plan p = op.accept(this);
        if (p.candidates() == null) {
          return new Plan(null, false);
        }
        exact &= p.exact();
        out.or(p.candidates());
      }
      return new Plan(out, exact);
    }
  };

  private static void equal(FieldIndex f, Object value, BitSet out) {
    if (value instanceof String s) {
      Posting p = f.strings.get(s);
      if (p != null) {
        p.orInto(out);
      }
    } else if (value instanceof Boolean b) {
      (b ? f.trues : f.falses).orInto(out);
    } else if (value instanceof Number n) {
      Posting p = f.numbers.get(n);
      if (p != null) {
        p.orInto(out);
      }
    }
  }

  private static void range(FieldIndex f, Filter.Operator op, Number bound, BitSet out) {
    NavigableMap<Number, Posting> slice = switch (op) {
      case GT -> f.numbers.tailMap(bound, false);
      case GTE -> f.numbers.tailMap(bound, true);
      case LT -> f.numbers.headMap(bound, false);
      case LTE -> f.numbers.headMap(bound, true);
      case EQ -> throw new IllegalArgumentException("EQ is not a range");
    };
    for (Posting p : slice.values()) {
      p.orInto(out);
    }
  }
}
