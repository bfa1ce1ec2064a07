package dev.quiver.conformance;

import dev.quiver.Capabilities;
import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.DimensionMismatchException;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A deliberately simple, obviously-correct in-memory store for testing the kit itself: the kit must
 * pass against it, and must fail when one of the {@link Fault}s is injected.
 */
final class ReferenceStore implements VectorStore {

  /** Bugs a real backend might have; each must make some kit case fail. */
  enum Fault {
    NONE,
    /** {@code x != v} does not match records lacking {@code x} (the classic SQL NULL mistake). */
    NE_SKIPS_MISSING,
    /** Numbers compare as doubles, so 2^53+1 == 2^53. */
    LONGS_AS_DOUBLES,
    /** The last page of a scroll is lost. */
    LIST_DROPS_LAST_PAGE,
    /** EUCLIDEAN reports the squared distance. */
    SQUARED_EUCLIDEAN,
    /** A bad record in a batch fails the call after the records before it were written. */
    PARTIAL_BATCH,
    /** Unsupported search hints are silently ignored. */
    IGNORES_EF,
    /** Strings are matched case-insensitively. */
    CASE_INSENSITIVE,
    /** Search loses the nearest record (as a poor approximate index might). */
    SKIPS_NEAREST,
    /** Writes land later although the store declares STRONG consistency. */
    STALE_READS,
    /** A filtered read in a tenant looks at every tenant's records (the tenant condition dropped). */
    TENANT_LEAKS_UNDER_FILTERS,
    /** Ids are shared by all tenants (a native key without the tenant in it). */
    TENANT_SHARES_IDS,
    /** Values of declared fields are stored without checking their type. */
    UNCHECKED_FIELD_TYPES,
    /** Declared DOUBLE fields are kept as float32, as a typed column of the wrong width would. */
    DECLARED_DOUBLES_AS_FLOATS
  }

  private static final String BACKEND = "reference";

  private final Fault fault;
  /** EVENTUAL mode: writes are validated at once but applied later, in order, on this thread. */
  private final ScheduledExecutorService lagging;
  private final Map<String, Coll> collections = new ConcurrentHashMap<>();
  private final Capabilities capabilities;

  ReferenceStore(Fault fault) {
    this(fault, false);
  }

  ReferenceStore(Fault fault, boolean eventual) {
    this.fault = fault;
    this.lagging = eventual || fault == Fault.STALE_READS ? Executors.newSingleThreadScheduledExecutor() : null;
    this.capabilities = capabilities(eventual);
  }

  /** Runs a write now (STRONG) or after a delay (EVENTUAL). */
  private void write(Runnable w) {
    if (lagging == null) {
      w.run();
    } else {
      lagging.schedule(w, 20, TimeUnit.MILLISECONDS);
    }
  }

  private static Capabilities capabilities(boolean eventual) {
    return Capabilities.builder(BACKEND)
      .supportsNatively(Feature.INDEX_FLAT, Feature.METRIC_COSINE, Feature.METRIC_DOT_PRODUCT, Feature.METRIC_EUCLIDEAN,
          Feature.DELETE_BY_FILTER, Feature.COUNT_BY_FILTER, Feature.LIST, Feature.LIST_BY_FILTER,
          Feature.UPDATE_METADATA, Feature.FILTERED_SEARCH, Feature.SEARCH_INCLUDE_VECTORS, Feature.EXACT_LONGS,
          Feature.ZERO_VECTORS)
      .lacks(Feature.INDEX_HNSW, "a test double")
      .lacks(Feature.INDEX_IVF_FLAT, "a test double")
      .lacks(Feature.INDEX_IVF_PQ, "a test double")
      .lacks(Feature.SEARCH_EF, "flat only")
      .lacks(Feature.SEARCH_NPROBE, "flat only")
      .lacks(Feature.DURABILITY, "memory only")
      .supportsNatively(Feature.TENANTS, Feature.DECLARED_FIELDS)
      .lacks(Feature.FOREIGN_COLLECTIONS, "a test double")
      .consistency(eventual ? Capabilities.Consistency.EVENTUAL : Capabilities.Consistency.STRONG)
      .build();
  }

  @Override
  public VectorCollection createCollection(CollectionSpec spec) {
    capabilities.require(spec.index().feature());
    capabilities.require(Feature.of(spec.metric()));
    if (!spec.fields().isEmpty()) {
      capabilities.require(Feature.DECLARED_FIELDS);
    }
    if (spec.multiTenant()) {
      capabilities.require(Feature.TENANTS);
    }
    Coll c = new Coll(spec, null, new ConcurrentHashMap<>(), new java.util.concurrent.atomic.AtomicBoolean());
    if (collections.putIfAbsent(spec.name(), c) != null) {
      throw new CollectionAlreadyExistsException(spec.name());
    }
    return c;
  }

  @Override
  public VectorCollection collection(String name) {
    CollectionSpec.checkName(name);
    Coll c = collections.get(name);
    if (c == null) {
      throw new CollectionNotFoundException(name);
    }
    return c;
  }

  @Override
  public VectorCollection collection(String name, String vector) {
    throw new InvalidArgumentException("reference collections have one unnamed vector");
  }

  @Override
  public boolean hasCollection(String name) {
    return name != null && collections.containsKey(name);
  }

  @Override
  public List<String> listCollections() {
    return collections.keySet().stream().sorted().toList();
  }

  @Override
  public CollectionSpec describeCollection(String name) {
    return collection(name).spec();
  }

  @Override
  public boolean dropCollection(String name) {
    Coll c = name == null ? null : collections.remove(name);
    if (c != null) {
      c.dropped.set(true);
    }
    return c != null;
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public void close() {
    if (lagging != null) {
      lagging.shutdown();
    }
  }

  private boolean matches(Filter f, Metadata m) {
    return switch (fault) {
      case NE_SKIPS_MISSING -> f instanceof Filter.Not n && n.operand() instanceof Filter.Comparison cmp
          ? m.containsKey(cmp.field()) && f.matches(m) : f.matches(m) && neOk(f, m);
      case LONGS_AS_DOUBLES -> f.matches(roundLongs(m));
      case CASE_INSENSITIVE -> f.matches(m) || f.matches(lower(m));
      default -> f.matches(m);
    };
  }

  /** Within and/or trees, a != on a missing key is false under the fault. */
  private boolean neOk(Filter f, Metadata m) {
    if (f instanceof Filter.And a) {
      return a.operands().stream().allMatch(o -> !(o instanceof Filter.Not n && n.operand() instanceof Filter.Comparison c)
          || m.containsKey(c.field()));
    }
    return true;
  }

  private static Metadata roundLongs(Metadata m) {
    Metadata.Builder b = Metadata.builder();
    m.asMap().forEach((k, v) -> b.put(k, v instanceof Long l ? (Object) (double) l : v));
    return b.build();
  }

  private static Metadata lower(Metadata m) {
    Metadata.Builder b = Metadata.builder();
    m.asMap().forEach((k, v) -> b.put(k, v instanceof String s ? s.toLowerCase(java.util.Locale.ROOT) : v));
    return b.build();
  }

  private final class Coll implements VectorCollection {
    private final CollectionSpec spec;
    /** This handle's tenant; null for the collection's own handle. */
    private final String tenant;
    /** Records by tenant ("" for a collection that is not multi-tenant), shared by all handles. */
    private final Map<String, ConcurrentSkipListMap<String, Record>> partitions;
    private final java.util.concurrent.atomic.AtomicBoolean dropped;
    private final ConcurrentSkipListMap<String, Record> records;

    Coll(CollectionSpec spec, String tenant, Map<String, ConcurrentSkipListMap<String, Record>> partitions,
        java.util.concurrent.atomic.AtomicBoolean dropped) {
      this.spec = spec;
      this.tenant = tenant;
      this.partitions = partitions;
      this.dropped = dropped;
      String key = tenant == null || fault == Fault.TENANT_SHARES_IDS ? "" : tenant;
      this.records = partitions.computeIfAbsent(key, k -> new ConcurrentSkipListMap<>());
    }

    private void live() {
      if (dropped.get()) {
        throw new CollectionNotFoundException(spec.name());
      }
      if (spec.multiTenant() && tenant == null) {
        throw new InvalidArgumentException("collection '" + spec.name() + "' is multi-tenant: use tenant(name)");
      }
    }

    /** The records a filtered read looks at: this tenant's, or under the fault every tenant's. */
    private java.util.Collection<Record> scanned(Optional<Filter> filter) {
      if (fault == Fault.TENANT_LEAKS_UNDER_FILTERS && filter.isPresent()) {
        List<Record> all = new ArrayList<>();
        partitions.values().forEach(m -> all.addAll(m.values()));
        return all;
      }
      return records.values();
    }

    private Record stored(Record r) {
      if (fault == Fault.DECLARED_DOUBLES_AS_FLOATS) {
        Metadata.Builder b = Metadata.builder();
        r.metadata().asMap().forEach((k, v) -> b.put(k,
            v instanceof Double d && spec.field(k).isPresent() ? (Object) (double) (float) (double) d : v));
        return r.withMetadata(b.build());
      }
      return r;
    }

    @Override
    public String name() {
      return spec.name();
    }

    @Override
    public Optional<String> tenant() {
      return Optional.ofNullable(tenant);
    }

    @Override
    public List<String> tenants() {
      if (!spec.multiTenant() || tenant != null) {
        throw new InvalidArgumentException("not the own handle of a multi-tenant collection");
      }
      return partitions.entrySet().stream().filter(e -> !e.getKey().isEmpty() && !e.getValue().isEmpty())
          .map(Map.Entry::getKey).sorted().toList();
    }

    @Override
    public VectorCollection tenant(String name) {
      if (dropped.get()) {
        throw new CollectionNotFoundException(spec.name());
      }
      if (!spec.multiTenant() || tenant != null) {
        throw new InvalidArgumentException("not the own handle of a multi-tenant collection");
      }
      return new Coll(spec, dev.quiver.spi.AbstractVectorCollection.checkTenant(name), partitions, dropped);
    }

    @Override
    public CollectionSpec spec() {
      return spec;
    }

    @Override
    public synchronized void upsert(List<Record> batch) {
      live();
      Set<String> seen = new HashSet<>();
      for (Record r : batch) {
        if (fault != Fault.PARTIAL_BATCH) {
          spec.checkVector("record '" + r.id() + "'", r.vector());
        }
        if (fault != Fault.UNCHECKED_FIELD_TYPES) {
          spec.checkMetadata("record '" + r.id() + "'", r.metadata());
        }
        if (!seen.add(r.id())) {
          throw new InvalidArgumentException("duplicate id '" + r.id() + "' in one upsert");
        }
      }
      if (fault == Fault.PARTIAL_BATCH) {
        for (Record r : batch) {
          spec.checkVector("record '" + r.id() + "'", r.vector()); // fails here, mid-way
          records.put(r.id(), r);
        }
        return;
      }
      List<Record> copy = List.copyOf(batch);
      write(() -> copy.forEach(r -> records.put(r.id(), stored(r))));
    }

    @Override
    public List<Record> get(Collection<String> ids) {
      live();
      List<Record> out = new ArrayList<>();
      for (String id : new LinkedHashSet<>(ids)) {
        Optional.ofNullable(records.get(id)).ifPresent(out::add);
      }
      return out;
    }

    @Override
    public synchronized void delete(Collection<String> ids) {
      live();
      List<String> copy = List.copyOf(ids);
      write(() -> copy.forEach(records::remove));
    }

    @Override
    public synchronized void delete(Filter filter) {
      live();
      if (fault == Fault.TENANT_LEAKS_UNDER_FILTERS) {
        write(() -> partitions.values().forEach(m -> m.values().removeIf(r -> matches(filter, r.metadata()))));
        return;
      }
      write(() -> records.values().removeIf(r -> matches(filter, r.metadata())));
    }

    @Override
    public synchronized boolean updateMetadata(String id, Metadata metadata) {
      live();
      if (fault != Fault.UNCHECKED_FIELD_TYPES) {
        spec.checkMetadata("record '" + id + "'", metadata);
      }
      Record r = records.get(id);
      if (r == null) {
        return false;
      }
      write(() -> records.computeIfPresent(id, (k, old) -> stored(old.withMetadata(metadata))));
      return true;
    }

    @Override
    public long count() {
      live();
      return records.size();
    }

    @Override
    public long count(Filter filter) {
      live();
      return scanned(Optional.of(filter)).stream().filter(r -> matches(filter, r.metadata())).count();
    }

    @Override
    public Page list(ListRequest request) {
      live();
      NavigableMap<String, Record> tail = records;
      if (fault == Fault.TENANT_LEAKS_UNDER_FILTERS && request.filter().isPresent()) {
        tail = new ConcurrentSkipListMap<>();
        for (Record r : scanned(request.filter())) {
          tail.put(r.id(), r);
        }
      }
      String scope = tenant == null ? "" : tenant;
      if (request.cursor().isPresent()) {
        String c = request.cursor().get();
        if (!c.startsWith("c:" + scope + ":")) {
          throw new InvalidArgumentException("not a cursor of this collection: " + c);
        }
        String after;
        try {
          after = new String(Base64.getUrlDecoder().decode(c.substring(3 + scope.length())), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new InvalidArgumentException("not a cursor of this collection: " + c);
        }
        tail = tail.tailMap(after, false);
      }
      List<Record> page = new ArrayList<>();
      String last = null;
      boolean more = false;
      for (Record r : tail.values()) {
        if (request.filter().isPresent() && !matches(request.filter().get(), r.metadata())) {
          continue;
        }
        if (page.size() == request.pageSize()) {
          more = true;
          break;
        }
        page.add(r);
        last = r.id();
      }
      if (fault == Fault.LIST_DROPS_LAST_PAGE && !more && request.cursor().isPresent()) {
        page.clear();
      }
      return new Page(page, more ? Optional.of("c:" + scope + ":" + Base64.getUrlEncoder().encodeToString(
          last.getBytes(StandardCharsets.UTF_8))) : Optional.empty());
    }

    @Override
    public List<Match> search(SearchRequest request) {
      live();
      if (fault != Fault.IGNORES_EF) {
        if (request.ef().isPresent()) {
          capabilities.require(Feature.SEARCH_EF);
        }
        if (request.nprobe().isPresent()) {
          capabilities.require(Feature.SEARCH_NPROBE);
        }
      }
      float[] q = request.vector();
      if (q.length != spec.dimension()) {
        throw new DimensionMismatchException("query vector", spec.dimension(), q.length);
      }
      spec.checkVector("query vector", q);
      Metric metric = spec.metric();
      record Scored(Record r, double distance) {}
      List<Scored> all = new ArrayList<>();
      for (Record r : scanned(request.filter())) {
        if (request.filter().isEmpty() || matches(request.filter().get(), r.metadata())) {
          double d = metric.distance(q, r.vector());
          all.add(new Scored(r, fault == Fault.SQUARED_EUCLIDEAN && metric == Metric.EUCLIDEAN ? d * d : d));
        }
      }
      all.sort(Comparator.comparingDouble(Scored::distance).thenComparing(s -> s.r().id()));
      if (fault == Fault.SKIPS_NEAREST && all.size() > 1 && request.filter().isEmpty()) {
        all.remove(0);
      }
      List<Match> out = new ArrayList<>();
      for (Scored s : all) {
        double score = metric.scoreFromDistance(s.distance());
        if (out.size() == request.topK() || request.minScore().isPresent() && score < request.minScore().getAsDouble()) {
          break;
        }
        out.add(new Match(s.r().id(), score, s.distance(), request.includeVectors() ? s.r().vector() : null,
            request.includeMetadata() ? s.r().metadata() : Metadata.empty()));
      }
      return out;
    }
  }
}
