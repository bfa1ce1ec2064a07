package dev.quiver.compare;

import dev.quiver.Filter;
import dev.quiver.Record;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every backend is measured against, computed once from the dataset: the filters and the
 * records each matches by the reference evaluator, the filter of each query in the filtered runs,
 * and the exact top-k of every query with and without its filter.
 *
 * @param dataset the data
 * @param byId the records by id
 * @param filters the filters checked for correctness
 * @param expected per filter, the ids {@link Filter#matches} accepts
 * @param queryFilters per query, its filter in the filtered runs (empty list: no filtered runs)
 * @param truth per query, the exact top-k ids
 * @param filteredTruth per query, the exact top-k ids among records its filter matches (empty with queryFilters)
 * @param k the k
 */
record Workload(Dataset dataset, Map<String, Record> byId, List<Filter> filters, List<Set<String>> expected,
    List<Filter> queryFilters, List<List<String>> truth, List<List<String>> filteredTruth, int k) {

  boolean hasFilteredRuns() {
    return !queryFilters.isEmpty();
  }
}
