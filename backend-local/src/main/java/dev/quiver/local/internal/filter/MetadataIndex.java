package dev.quiver.local.internal.filter;

import dev.quiver.Filter;
import dev.quiver.Metadata;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

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
 * <p>Not thread-safe: the owner guards it (writers exclusive, evaluations shared).
 */
public final class MetadataIndex {

  private final Map<String, FieldIndex> fields = new HashMap<>();
  private final BitSet live = new BitSet();
  private int liveCount;

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
   * @param filter a filter
   * @return a new set holding exactly the indexed ordinals whose metadata the filter matches
   */
  public BitSet evaluate(Filter filter) {
    return filter.accept(evaluator);
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
