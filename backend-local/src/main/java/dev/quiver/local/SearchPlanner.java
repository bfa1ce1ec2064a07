package dev.quiver.local;

/**
 * Chooses between an exact scan of the records a filter admits and a filter-aware graph (or IVF) search,
 * and how a filtered {@code list} page is found ({@link #preferIndexedList}).
 *
 * <p>The cost model counts distance computations. An exact scan costs one per admitted record. A
 * graph search with candidate list {@code ef} computes roughly {@code ef * m} distances unfiltered
 * (about half of each expanded node's {@code 2m} layer-0 neighbours are new), and a filter passing
 * a fraction {@code p} of the records makes it walk about {@code 1/p} times further before it has
 * {@code ef} admitted results. So the graph wins when {@code matching > ef * m * total / matching},
 * i.e. when {@code matching² > ef · m · total}. On 1M records with ef=100, m=16 the switch is near
 * 40k admitted records (4 %); on 10k records near 4k. A floor keeps tiny scans exact regardless.
 */
final class SearchPlanner {

  /** Below this many admitted records a scan is always used: it is exact and costs almost nothing. */
  static final int MIN_GRAPH_CANDIDATES = 1_000;

  private final double costFactor;

  /**
   * @param costFactor multiplies the graph's estimated cost; 1 is the model above, 0 always
   *     prefers the graph (tests use it to exercise filter-aware traversal), large values prefer scans
   */
  SearchPlanner(double costFactor) {
    this.costFactor = costFactor;
  }

  /** @return the planner with the cost model as documented */
  static SearchPlanner standard() {
    return new SearchPlanner(1.0);
  }

  /**
   * @param matching records the filter admits (all live records when there is no filter)
   * @param total live records
   * @param ef the candidate list size the graph search would use
   * @param m the graph's neighbours per node
   * @return true when an exact scan of the admitted records is expected to be cheaper
   */
  boolean preferScan(long matching, long total, int ef, int m) {
    if (costFactor == 0) {
      return false;
    }
    if (matching <= Math.max(MIN_GRAPH_CANDIDATES, ef)) {
      return true;
    }
    double graphCost = costFactor * (double) ef * m * total / matching;
    return matching <= graphCost;
  }

  /**
   * The choice of a filtered {@code list} page. Walking the records in id order from the cursor visits
   * about {@code pageSize · total / matching} records before the page is full; collecting the smallest
   * admitted ids after the cursor visits each admitted record once. So the admitted records win when
   * {@code matching² < pageSize · total}: a filter admitting 1,000 of 1M records with pages of 100.
   *
   * @param matching records the filter admits
   * @param total live records
   * @param pageSize the page size
   * @return true to collect the page from the admitted records
   */
  boolean preferIndexedList(long matching, long total, int pageSize) {
    if (costFactor == 0) {
      return true; // tests: always through the index
    }
    return (double) matching * matching < costFactor * pageSize * (double) total;
  }

  /**
   * The same choice for an IVF index, counting work in units of one float distance of the collection's
   * dimension. An IVF search computes the {@code nlist} centroid distances, with PQ a table worth
   * {@code ksub} distances, then scans the entries of the probed lists: it probes at least
   * {@code nprobe/nlist} of the records, and with a filter passing {@code p = matching/total} it probes
   * until it has scanned that many admitted entries, about {@code 1/p} times as many entries. An entry costs
   * one distance in IVF-FLAT and about {@code 2·subspaces/dimension} in IVF-PQ (table look-ups);
   * re-ranking costs one distance per candidate. The exact scan costs {@code matching}.
   *
   * @param matching records the filter admits (all live records when there is no filter)
   * @param total live records
   * @param nprobe lists probed at least
   * @param nlist lists
   * @param candidates candidates the IVF search collects
   * @param entryCost cost of scanning one entry, in float distances
   * @param tableCost cost of the PQ table, in float distances (0 for IVF-FLAT)
   * @return true when an exact scan of the admitted records is expected to be cheaper
   */
  boolean preferScanIvf(long matching, long total, int nprobe, int nlist, int candidates, double entryCost,
      double tableCost) {
    if (costFactor == 0) {
      return false;
    }
    if (matching <= Math.max(MIN_GRAPH_CANDIDATES, candidates)) {
      return true;
    }
    double probedShare = Math.min(1.0, (double) nprobe / nlist);
    double scanned = Math.min(total, Math.max(total * probedShare, (double) candidates) * total / matching);
    double ivfCost = costFactor * (nlist + tableCost + scanned * entryCost + candidates);
    return matching <= ivfCost;
  }
}
