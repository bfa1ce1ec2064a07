package dev.quiver.compare;

import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.InvalidFilterException;
import dev.quiver.Record;
import dev.quiver.conformance.FilterGenerator;
import dev.quiver.conformance.ValuePool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The filters a comparison checks: read from a file (one expression of the filter language per
 * line; blank lines and lines starting with {@code #} are skipped), or generated from the data's own
 * keys — simple predicates on each key's common values, plus random trees of every operator from the
 * conformance kit's {@link FilterGenerator} drawing fields and literals from the data.
 */
public final class Filters {

  /** Keys used for generated filters at most. */
  static final int MAX_KEYS = 8;

  private Filters() {}

  /**
   * @param file the file
   * @return its filters, in order
   * @throws IOException if it cannot be read
   * @throws InvalidArgumentException naming the line of a filter that does not parse
   */
  public static List<Filter> read(Path file) throws IOException {
    List<Filter> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        out.add(Filter.parse(line));
      } catch (InvalidFilterException e) {
        throw new InvalidArgumentException(file.getFileName() + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    if (out.isEmpty()) {
      throw new InvalidArgumentException(file + " holds no filter expressions");
    }
    return out;
  }

  /**
   * @param records the data
   * @param randomTrees how many random filter trees to add
   * @param seed seed of the random trees
   * @return simple predicates on each key, then the random trees; empty when the data has no metadata
   */
  public static List<Filter> generate(List<Record> records, int randomTrees, long seed) {
    Map<String, Map<Object, Integer>> valuesByKey = new TreeMap<>();
    Map<String, Integer> present = new HashMap<>();
    for (Record r : records) {
      for (Map.Entry<String, Object> e : r.metadata().asMap().entrySet()) {
        present.merge(e.getKey(), 1, Integer::sum);
        Map<Object, Integer> counts = valuesByKey.computeIfAbsent(e.getKey(), k -> new HashMap<>());
        if (e.getValue() instanceof List<?> list) {
          for (Object element : list) {
            counts.merge(element, 1, Integer::sum);
          }
        } else {
          counts.merge(e.getValue(), 1, Integer::sum);
        }
      }
    }
    if (valuesByKey.isEmpty()) {
      return List.of();
    }
    Set<Filter> out = new LinkedHashSet<>();
    List<String> keys = new ArrayList<>(valuesByKey.keySet());
    keys.sort(Comparator.comparing((String k) -> -present.get(k)).thenComparing(k -> k));
    keys = keys.subList(0, Math.min(MAX_KEYS, keys.size()));
    List<String> strings = new ArrayList<>();
    List<Long> longs = new ArrayList<>();
    List<Double> doubles = new ArrayList<>();
    for (String key : keys) {
      List<Object> common = byFrequency(valuesByKey.get(key));
      Object top = common.get(0);
      if (top instanceof String s) {
        out.add(Filter.eq(key, s));
        out.add(Filter.ne(key, s));
        if (common.size() > 2) {
          out.add(Filter.in(key, common.get(1), common.get(2)));
        }
      } else if (top instanceof Boolean b) {
        out.add(Filter.eq(key, b));
      } else if (top instanceof Number) {
        List<Number> numbers = common.stream().filter(Number.class::isInstance).map(Number.class::cast)
            .sorted(Filter::compareNumbers).toList();
        Number median = numbers.get(numbers.size() / 2);
        out.add(Filter.gte(key, median));
        out.add(Filter.lt(key, median).and(Filter.ne(key, numbers.get(0))));
        out.add(Filter.eq(key, top));
      }
      if (present.get(key) < records.size()) {
        out.add(Filter.exists(key));
        out.add(Filter.not(Filter.exists(key)));
      }
      for (Object v : common.subList(0, Math.min(6, common.size()))) {
        if (v instanceof String s) {
          strings.add(s);
        } else if (v instanceof Long l) {
          longs.add(l);
        } else if (v instanceof Double d) {
          doubles.add(d);
        }
      }
    }
    if (keys.size() >= 2) {
      out.add(Filter.allOf(first(out, keys.get(0)), first(out, keys.get(1))));
      out.add(Filter.anyOf(first(out, keys.get(0)), first(out, keys.get(1))));
    }
    if (randomTrees > 0) {
      // A pool needs values of every type; the data's own come first, a few neutral ones fill gaps.
      ValuePool pool = new ValuePool(keys, orElse(strings, List.of("a")), orElse(longs, List.of(0L, 1L)),
          orElse(doubles, List.of(0.5, 1.0)));
      out.addAll(new FilterGenerator(seed, pool).next(randomTrees));
    }
    return new ArrayList<>(out);
  }

  private static Filter first(Collection<Filter> filters, String key) {
    for (Filter f : filters) {
      if (f.toString().startsWith(key + " ")) {
        return f;
      }
    }
    return Filter.exists(key);
  }

  private static <T> List<T> orElse(List<T> values, List<T> fallback) {
    return values.isEmpty() ? fallback : values;
  }

  private static List<Object> byFrequency(Map<Object, Integer> counts) {
    List<Map.Entry<Object, Integer>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(Map.Entry.<Object, Integer>comparingByValue().reversed()
        .thenComparing(e -> String.valueOf(e.getKey())));
    return entries.stream().map(Map.Entry::getKey).toList();
  }
}
