package dev.quiver.compare;

import dev.quiver.Filter;
import dev.quiver.Metric;
import dev.quiver.Record;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.IntStream;

/**
 * Exact nearest neighbours by brute force, in double precision with the reference formulas of
 * {@link Metric}, ties broken by id (as every backend orders its results), optionally among the
 * records a filter's reference evaluator matches.
 */
public final class GroundTruth {

  private GroundTruth() {}

  /**
   * @param records the records
   * @param metric the metric
   * @param query the query vector
   * @param k how many neighbours
   * @param filter only records it matches, or null for all
   * @return the ids of the k nearest, nearest first
   */
  public static List<String> topK(List<Record> records, Metric metric, float[] query, int k, Filter filter) {
    record Hit(String id, double distance) {}
    Comparator<Hit> order = Comparator.comparingDouble(Hit::distance).thenComparing(Hit::id);
    PriorityQueue<Hit> worstFirst = new PriorityQueue<>(order.reversed());
    for (Record r : records) {
      if (filter != null && !filter.matches(r.metadata())) {
        continue;
      }
      Hit h = new Hit(r.id(), metric.distance(query, r.vector()));
      if (worstFirst.size() < k) {
        worstFirst.add(h);
      } else if (order.compare(h, worstFirst.peek()) < 0) {
        worstFirst.poll();
        worstFirst.add(h);
      }
    }
    List<Hit> hits = new ArrayList<>(worstFirst);
    hits.sort(order);
    return hits.stream().map(Hit::id).toList();
  }

  /**
   * The ground truth of many queries, in parallel.
   *
   * @param records the records
   * @param metric the metric
   * @param queries the queries
   * @param k how many neighbours
   * @param filters the filter of each query (null entries or a null list: unfiltered)
   * @param bar progress, one step per query
   * @return per query, the ids of its k nearest
   */
  public static List<List<String>> topK(List<Record> records, Metric metric, List<float[]> queries, int k,
      List<Filter> filters, Progress.Bar bar) {
    return IntStream.range(0, queries.size()).parallel().mapToObj(i -> {
      List<String> ids = topK(records, metric, queries.get(i), k, filters == null ? null : filters.get(i));
      bar.step();
      return ids;
    }).toList();
  }

  /**
   * @param truth the exact ids
   * @param got the ids a backend returned
   * @param k the k of recall@k
   * @return |truth ∩ got| / min(k, |truth|); 1 when there is nothing to find
   */
  public static double recall(List<String> truth, List<String> got, int k) {
    int want = Math.min(k, truth.size());
    if (want == 0) {
      return 1.0;
    }
    java.util.Set<String> t = new java.util.HashSet<>(truth.subList(0, want));
    int hit = 0;
    for (String id : got.subList(0, Math.min(k, got.size()))) {
      if (t.contains(id)) {
        hit++;
      }
    }
    return (double) hit / want;
  }
}
