package dev.quiver.compare;

import dev.quiver.Metric;
import dev.quiver.Record;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The records loaded into every store and the query vectors searched with, held in memory so that
 * exact ground truth and the reference filter evaluator can run over exactly the same data.
 *
 * @param name short name for the report
 * @param source where the records came from
 * @param sha256 hash of the input (hex)
 * @param metric the metric of the collection
 * @param records the records
 * @param queries the query vectors
 * @param groundTruth optional neighbour lists given with the data (row per query, indexes into records), or null
 */
public record Dataset(String name, String source, String sha256, Metric metric, List<Record> records,
    List<float[]> queries, List<int[]> groundTruth) {

  /** Copies the lists. */
  public Dataset {
    records = List.copyOf(records);
    queries = List.copyOf(queries);
    groundTruth = groundTruth == null ? null : List.copyOf(groundTruth);
  }

  /** @return the vector dimension */
  public int dimension() {
    return records.isEmpty() ? queries.get(0).length : records.get(0).dimension();
  }

  /** @return the records by id */
  public Map<String, Record> byId() {
    Map<String, Record> m = new HashMap<>(records.size() * 2);
    for (Record r : records) {
      m.put(r.id(), r);
    }
    return m;
  }

  /** @return every metadata key in the records, sorted */
  public List<String> metadataKeys() {
    TreeSet<String> keys = new TreeSet<>();
    for (Record r : records) {
      keys.addAll(r.metadata().keys());
    }
    return new ArrayList<>(keys);
  }
}
