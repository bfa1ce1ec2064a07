package dev.quiver.conformance;

import dev.quiver.Filter;
import dev.quiver.Metric;
import dev.quiver.Record;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Brute-force k-nearest-neighbour search with {@link Metric}'s reference formulas: the ground truth
 * the kit compares every backend's search against.
 */
public final class ExactOracle {

  private ExactOracle() {}

  /**
   * One expected match.
   *
   * @param id the record id
   * @param score the reference score
   * @param distance the reference distance
   */
  public record Hit(String id, double score, double distance) {}

  /**
   * @param records the collection's records
   * @param query the query vector
   * @param metric the collection's metric
   * @param topK how many
   * @param filter a filter evaluated with the reference evaluator, or {@code null}
   * @return the best {@code topK} records, best first, ties broken by id (as the API promises)
   */
  public static List<Hit> search(List<Record> records, float[] query, Metric metric, int topK, Filter filter) {
    List<Hit> hits = new ArrayList<>();
    for (Record r : records) {
      if (filter == null || filter.matches(r.metadata())) {
        double d = metric.distance(query, r.vector());
        hits.add(new Hit(r.id(), metric.scoreFromDistance(d), d));
      }
    }
    hits.sort(Comparator.comparingDouble(Hit::distance).thenComparing(Hit::id));
    return hits.size() > topK ? List.copyOf(hits.subList(0, topK)) : List.copyOf(hits);
  }
}
