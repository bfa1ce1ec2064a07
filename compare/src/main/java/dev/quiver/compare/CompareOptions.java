package dev.quiver.compare;

import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to compare and how. Build with {@link #builder()}.
 *
 * @param stores the stores, each with a label
 * @param dataset the data to load; null with {@code existingCollection} to read it from the first store
 * @param existingCollection use this existing collection on every store (nothing loaded or dropped), or null
 * @param queriesFile queries for an existing collection (null: sample records), or null
 * @param filters the filters to check (null: generate them from the data)
 * @param filterSource where the filters came from, for the report
 * @param randomFilters random filter trees added when generating
 * @param k top-k of every search
 * @param concurrency thread counts
 * @param searchesPerLevel searches at each concurrency level
 * @param index the index to create
 * @param efs ef hints to sweep (empty: only the backend's default)
 * @param batchSize records per upsert
 * @param probes writes timed until searchable on eventually consistent backends
 * @param seed the seed of every random choice
 * @param keep keep the collections created
 * @param collection the collection name to create (null: generated)
 * @param command the command line to print in the report
 */
public record CompareOptions(List<Target> stores, Dataset dataset, String existingCollection, Path queriesFile,
    List<Filter> filters, String filterSource, int randomFilters, int k, List<Integer> concurrency,
    int searchesPerLevel, IndexSpec index, List<Integer> efs, int batchSize, int probes, long seed, boolean keep,
    String collection, String command) {

  /**
   * A store to measure.
   *
   * @param label the name in the report
   * @param uri the address for {@link dev.quiver.Quiver#open(String)}
   */
  public record Target(String label, String uri) {
    /**
     * Parses {@code label=uri} or a bare {@code uri} (labelled by its scheme).
     *
     * @param spec the text
     * @return the target
     */
    public static Target parse(String spec) {
      int eq = spec.indexOf('=');
      int colon = spec.indexOf(':');
      if (eq > 0 && (colon < 0 || eq < colon)) {
        return new Target(spec.substring(0, eq), spec.substring(eq + 1));
      }
      if (colon <= 0) {
        throw new InvalidArgumentException("not a store address: '" + spec + "' (expected scheme:..., e.g. memory:)");
      }
      return new Target(spec.substring(0, colon), spec);
    }
  }

  /** Checks the values. */
  public CompareOptions {
    stores = List.copyOf(stores);
    if (stores.isEmpty()) {
      throw new InvalidArgumentException("give at least one store address to compare");
    }
    if (dataset == null && existingCollection == null) {
      throw new InvalidArgumentException("give a dataset (--data) or an existing collection (--collection ... --existing)");
    }
    if (k < 1 || k > 1000) {
      throw new InvalidArgumentException("k must be 1..1000, got " + k);
    }
    concurrency = List.copyOf(concurrency);
    if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1 || c > 256)) {
      throw new InvalidArgumentException("concurrency levels must be 1..256, got " + concurrency);
    }
    if (searchesPerLevel < 1) {
      throw new InvalidArgumentException("searches per level must be at least 1, got " + searchesPerLevel);
    }
    if (batchSize < 1 || batchSize > 10_000) {
      throw new InvalidArgumentException("batch size must be 1..10000, got " + batchSize);
    }
    efs = List.copyOf(efs);
    Objects.requireNonNull(index, "index");
    List<String> labels = new ArrayList<>();
    for (Target t : stores) {
      if (labels.contains(t.label())) {
        throw new InvalidArgumentException("two stores are labelled '" + t.label() + "'; label them: name=uri");
      }
      labels.add(t.label());
    }
  }

  /** @return a builder with the defaults */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link CompareOptions}; every setter returns the builder. */
  public static final class Builder {
    private final List<Target> stores = new ArrayList<>();
    private Dataset dataset;
    private String existingCollection;
    private Path queriesFile;
    private List<Filter> filters;
    private String filterSource = "generated from the data's keys";
    private int randomFilters = 20;
    private int k = 10;
    private List<Integer> concurrency = List.of(1, 4, 16);
    private int searchesPerLevel = 300;
    private IndexSpec index = IndexSpec.hnsw(16, 200);
    private List<Integer> efs = List.of();
    private int batchSize = 500;
    private int probes = 5;
    private long seed = 42;
    private boolean keep;
    private String collection;
    private String command = "";

    private Builder() {}

    /** @param label name in the report @param uri address @return this */
    public Builder store(String label, String uri) {
      stores.add(new Target(label, uri));
      return this;
    }

    /** @param target a store @return this */
    public Builder store(Target target) {
      stores.add(target);
      return this;
    }

    /** @param d the data @return this */
    public Builder dataset(Dataset d) {
      this.dataset = d;
      return this;
    }

    /** @param name an existing collection on every store @return this */
    public Builder existingCollection(String name) {
      this.existingCollection = name;
      return this;
    }

    /** @param p a queries file for an existing collection @return this */
    public Builder queriesFile(Path p) {
      this.queriesFile = p;
      return this;
    }

    /** @param f the filters @param source where they came from @return this */
    public Builder filters(List<Filter> f, String source) {
      this.filters = List.copyOf(f);
      this.filterSource = source;
      return this;
    }

    /** @param n random filter trees when generating @return this */
    public Builder randomFilters(int n) {
      this.randomFilters = n;
      return this;
    }

    /** @param k top-k @return this */
    public Builder k(int k) {
      this.k = k;
      return this;
    }

    /** @param levels thread counts @return this */
    public Builder concurrency(List<Integer> levels) {
      this.concurrency = levels;
      return this;
    }

    /** @param n searches per level @return this */
    public Builder searchesPerLevel(int n) {
      this.searchesPerLevel = n;
      return this;
    }

    /** @param spec the index @return this */
    public Builder index(IndexSpec spec) {
      this.index = spec;
      return this;
    }

    /** @param values ef hints to sweep @return this */
    public Builder efs(List<Integer> values) {
      this.efs = values;
      return this;
    }

    /** @param n records per upsert @return this */
    public Builder batchSize(int n) {
      this.batchSize = n;
      return this;
    }

    /** @param n probe writes on eventual backends @return this */
    public Builder probes(int n) {
      this.probes = n;
      return this;
    }

    /** @param s the seed @return this */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** @param k keep created collections @return this */
    public Builder keep(boolean k) {
      this.keep = k;
      return this;
    }

    /** @param name collection name @return this */
    public Builder collection(String name) {
      this.collection = name;
      return this;
    }

    /** @param c the command line @return this */
    public Builder command(String c) {
      this.command = c;
      return this;
    }

    /** @return the options */
    public CompareOptions build() {
      return new CompareOptions(stores, dataset, existingCollection, queriesFile, filters, filterSource, randomFilters,
          k, concurrency, searchesPerLevel, index, efs, batchSize, probes, seed, keep, collection, command);
    }
  }
}
