package dev.quiver.compare;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Everything one comparison measured, in the form the JSON report is written in (the Markdown and
 * HTML reports show the same numbers). Times are milliseconds, rates per second.
 *
 * @param title a one-line title
 * @param createdAt when the run started (ISO-8601, UTC)
 * @param reproducibility versions, dataset hash, seeds and machine
 * @param dataset what was loaded and queried
 * @param settings the workload's settings
 * @param backends one entry per store address given, in the order given
 * @param notes remarks on the whole run (skipped parts and why)
 */
public record Report(String title, String createdAt, Reproducibility reproducibility, DatasetInfo dataset,
    Settings settings, List<Backend> backends, List<String> notes) {

  /** Status of a backend that was measured to the end. */
  public static final String MEASURED = "measured";
  /** Status of a backend that could not be measured (unreachable, refused, failed part-way). */
  public static final String NOT_RUN = "not run";

  /**
   * @param quiverVersion Quiver's version
   * @param sdkVersions vendor SDK versions this build pins (name to version)
   * @param jvm JVM vendor, name and version
   * @param os operating system and architecture
   * @param cores available processors
   * @param memoryBytes physical memory, or -1 when unknown
   * @param maxHeapBytes the JVM's maximum heap
   * @param seed the seed of every random choice (query hold-out, generated filters)
   * @param command the command line or API call that reproduces the run
   */
  public record Reproducibility(String quiverVersion, Map<String, String> sdkVersions, String jvm, String os,
      int cores, long memoryBytes, long maxHeapBytes, long seed, String command) {}

  /**
   * @param name short name
   * @param source where the records came from (files or an existing collection)
   * @param sha256 SHA-256 of the input files (hex; several files hashed in order), or of the records read
   * @param records records loaded
   * @param queries query vectors
   * @param dimension vector dimension
   * @param metric the metric
   * @param metadataKeys metadata keys seen in the records
   */
  public record DatasetInfo(String name, String source, String sha256, int records, int queries, int dimension,
      String metric, List<String> metadataKeys) {}

  /**
   * @param k top-k of every search
   * @param concurrency thread counts measured
   * @param searchesPerLevel searches at each concurrency level
   * @param index the index spec asked for
   * @param efs ef values swept ("default" is the backend's own)
   * @param batchSize records per upsert call
   * @param filterSource where the filters came from
   * @param workloadFilters the filters used in the filtered latency runs
   * @param collection the collection name used on every store
   * @param existingCollection whether an existing collection was used (nothing loaded or dropped)
   */
  public record Settings(int k, List<Integer> concurrency, int searchesPerLevel, String index, List<String> efs,
      int batchSize, String filterSource, List<String> workloadFilters, String collection, boolean existingCollection) {}

  /**
   * @param label the name shown in the report
   * @param address the store address, credentials masked
   * @param backend the backend's name from its capabilities
   * @param status {@link #MEASURED} or {@link #NOT_RUN}
   * @param error why it was not run (or what failed), empty when measured
   * @param serverVersion the server's version as it reported it, or what is known
   * @param consistency STRONG or EVENTUAL, as the backend declares
   * @param index the index the collection was created with
   * @param notes remarks on this backend's run (fallbacks, parts skipped and why)
   * @param deviations declared EMULATED and UNSUPPORTED features
   * @param ingest load throughput and time to searchable
   * @param runs latency and recall runs
   * @param filters correctness of every filter
   * @param scores score agreement
   * @param overhead adapter overhead against the vendor SDK, or null where not measured
   */
  public record Backend(String label, String address, String backend, String status, String error,
      String serverVersion, String consistency, String index, List<String> notes, List<Deviation> deviations, Ingest ingest, List<SearchRun> runs,
      List<FilterCheck> filters, Scores scores, Overhead overhead) {

    /** @return whether every correctness check passed (false also when not run) */
    @JsonProperty("correct")
    public boolean correct() {
      return MEASURED.equals(status) && filters.stream().allMatch(FilterCheck::passed) && scores != null
          && scores.agrees();
    }

    /** @return the number of filter checks (count, list, search) that failed */
    public long failedChecks() {
      return filters.stream().mapToLong(FilterCheck::failures).sum();
    }
  }

  /**
   * @param feature the feature
   * @param support EMULATED or UNSUPPORTED
   * @param note the backend's note
   */
  public record Deviation(String feature, String support, String note) {}

  /**
   * @param records records written (0 when an existing collection was used)
   * @param seconds wall time of all upserts
   * @param recordsPerSecond records / seconds
   * @param timeToSearchableMs on EVENTUAL backends: median time from a write until a search finds it; else null
   * @param timeToSearchableMaxMs the slowest probe, or null
   */
  public record Ingest(int records, double seconds, double recordsPerSecond, Double timeToSearchableMs,
      Double timeToSearchableMaxMs) {}

  /**
   * @param filtered whether the searches carried the workload filters
   * @param ef the ef hint ("default" when none)
   * @param concurrency threads searching at once
   * @param searches searches made
   * @param qps searches per second
   * @param recall mean recall@k against exact ground truth
   * @param p50Ms median latency
   * @param p95Ms 95th percentile
   * @param p99Ms 99th percentile
   * @param quantilesMs latency at 0, 5, …, 100 percent (21 values)
   * @param errors searches that threw
   */
  public record SearchRun(boolean filtered, String ef, int concurrency, int searches, double qps, double recall,
      double p50Ms, double p95Ms, double p99Ms, List<Double> quantilesMs, int errors) {}

  /**
   * One filter evaluated with count, list (full scroll) and search, each compared record by record
   * with the reference evaluator on the same data.
   *
   * @param filter the filter, in the filter language
   * @param expected records the reference evaluator matches
   * @param count what count(filter) returned, or -1 on error
   * @param listMissing matching records the full scroll left out
   * @param listExtra records the scroll returned that do not match (or appeared twice)
   * @param searchReturned matches one filtered search returned
   * @param searchExpected min(k, expected)
   * @param searchWrong returned matches that do not satisfy the filter
   * @param error the error any of the three calls raised, empty if none
   */
  public record FilterCheck(String filter, long expected, long count, long listMissing, long listExtra,
      int searchReturned, int searchExpected, int searchWrong, String error) {

    /** @return whether count agreed */
    public boolean countOk() {
      return error.isEmpty() && count == expected;
    }

    /** @return whether the full scroll returned exactly the matching records */
    public boolean listOk() {
      return error.isEmpty() && listMissing == 0 && listExtra == 0;
    }

    /** @return whether search returned only matching records, and as many as it should */
    public boolean searchOk() {
      return error.isEmpty() && searchWrong == 0 && searchReturned == searchExpected;
    }

    /** @return whether all three agreed */
    @JsonProperty("passed")
    public boolean passed() {
      return countOk() && listOk() && searchOk();
    }

    /** @return how many of the three disagreed */
    @JsonProperty("failures")
    public int failures() {
      return (countOk() ? 0 : 1) + (listOk() ? 0 : 1) + (searchOk() ? 0 : 1);
    }
  }

  /**
   * @param compared matches whose score was checked
   * @param maxDiffVsReference largest |score − Metric.score(query, record)| (the reference formula, in
   *     double on the data's vectors), divided by max(1, |reference|)
   * @param maxDiffVsOthers largest difference from another backend's score for the same query and record,
   *     divided by max(1, |other|)
   * @param tolerance the largest difference counted as agreement
   */
  public record Scores(long compared, double maxDiffVsReference, double maxDiffVsOthers, double tolerance) {
    /** @return whether every difference is within the tolerance */
    @JsonProperty("agrees")
    public boolean agrees() {
      return maxDiffVsReference <= tolerance && maxDiffVsOthers <= tolerance;
    }
  }

  /**
   * Quiver's search latency beside the same query made directly with the vendor SDK, interleaved in
   * one run at concurrency 1.
   *
   * @param sdk the SDK and version
   * @param searches searches of each kind
   * @param quiverP50Ms Quiver's median
   * @param directP50Ms the SDK's median
   * @param overheadP50Percent (quiver − direct) / direct at p50, in percent
   * @param quiverP95Ms Quiver's 95th percentile
   * @param directP95Ms the SDK's 95th percentile
   * @param sameIds queries where both returned the same ids
   * @param note what the direct query asks for
   */
  public record Overhead(String sdk, int searches, double quiverP50Ms, double directP50Ms, double overheadP50Percent,
      double quiverP95Ms, double directP95Ms, int sameIds, String note) {}
}
