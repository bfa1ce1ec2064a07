package dev.quiver.pinecone;

import dev.quiver.Capabilities;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.DeadlineExceededException;
import dev.quiver.Feature;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metric;
import dev.quiver.Secret;
import dev.quiver.pinecone.internal.ControlPlane;
import dev.quiver.pinecone.internal.DataPlane;
import dev.quiver.pinecone.internal.Layout;
import dev.quiver.pinecone.internal.Names;
import dev.quiver.pinecone.internal.PineconeCollection;
import dev.quiver.pinecone.internal.PineconeHttp;
import dev.quiver.pinecone.internal.SpecTags;
import dev.quiver.spi.AbstractVectorCollection;
import dev.quiver.spi.AbstractVectorStore;
import dev.quiver.spi.RemotePolicy;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * A Pinecone project seen as a Quiver store: each collection is one serverless Pinecone index (named
 * after it, see {@link #capabilities()} and docs/backends/pinecone.md for every mapping), using the
 * index's default namespace; a multi-tenant collection keeps each tenant in its own namespace. Indexes
 * made outside Quiver open too, in their own layout, in the default namespace or the one given by
 * {@link Builder#namespace(String)}. Talks to Pinecone's REST API, pinned to version {@value #API_VERSION}.
 *
 * <pre>{@code
 * try (VectorStore store = PineconeVectorStore.builder()
 *     .apiKey(Secret.of(System.getenv("PINECONE_API_KEY")))
 *     .cloud("aws").region("us-east-1")
 *     .build()) { ... }
 * }</pre>
 *
 * Pinecone is eventually consistent; this store waits, after its own writes, until Pinecone reports
 * them indexed (LSN headers) before reading, up to {@link Builder#freshnessTimeout(Duration)}.
 * Every call passes the checked boundary of {@link AbstractVectorStore} (argument checks, the API
 * key scrubbed from every message) and the shared {@link RemotePolicy} for retries. Thread-safe.
 */
public final class PineconeVectorStore extends AbstractVectorStore {

  /** The Pinecone API version every request pins. */
  public static final String API_VERSION = PineconeHttp.API_VERSION;
  /** The backend's name in capabilities and errors. */
  public static final String BACKEND = "pinecone";
  /** Pinecone's largest dense dimension. */
  public static final int MAX_DIMENSION = 20_000;

  private static final Capabilities CAPABILITIES = Capabilities.builder(BACKEND)
      .supportsNatively(Feature.METRIC_COSINE, Feature.METRIC_DOT_PRODUCT, Feature.METRIC_EUCLIDEAN,
          Feature.DELETE_BY_FILTER, Feature.LIST, Feature.FILTERED_SEARCH, Feature.SEARCH_INCLUDE_VECTORS,
          Feature.DURABILITY)
      .emulates(Feature.INDEX_HNSW, "Pinecone serverless builds and tunes its own approximate index; an HNSW spec is"
          + " accepted as 'approximate index' and kept in the index's tags, but m and efConstruction are not applied")
      .emulates(Feature.COUNT_BY_FILTER, "scans every id (vectors/list) and fetches records in batches, then applies"
          + " the reference filter; exact, cost grows with the collection (serverless stats take no filter)")
      .emulates(Feature.LIST_BY_FILTER, "scans ids in order (vectors/list), fetches them and applies the reference"
          + " filter; exact and stable, cost grows with the records skipped")
      .emulates(Feature.UPDATE_METADATA, "fetches the record and upserts it with the new metadata, because Pinecone's"
          + " update merges metadata and cannot remove keys; not atomic against a concurrent writer of the same id")
      .emulates(Feature.DECLARED_FIELDS, "Pinecone has no typed columns: Quiver checks the declared types and stores"
          + " declared fields as plain Pinecone metadata (numbers without Quiver's type tag), and keeps the declaration"
          + " in the index's tags. Serverless indexes index every metadata field, so every declared field is indexed"
          + " (indexed=false cannot turn that off without making the field unfilterable)")
      .supportsNatively(Feature.TENANTS, Feature.FOREIGN_COLLECTIONS)
      .lacks(Feature.INDEX_FLAT, "Pinecone serverless always searches its own approximate index; exact search is not"
          + " offered")
      .lacks(Feature.INDEX_IVF_FLAT, "Pinecone serverless chooses its own index; IVF cannot be requested")
      .lacks(Feature.INDEX_IVF_PQ, "Pinecone serverless chooses its own index; IVF-PQ cannot be requested")
      .lacks(Feature.EXACT_LONGS, "Pinecone keeps metadata numbers as float64; longs beyond ±2^53 are rejected")
      .lacks(Feature.SEARCH_EF, "Pinecone serverless has no search-time ef parameter")
      .lacks(Feature.ZERO_VECTORS, "Pinecone requires dense vectors to contain at least one non-zero value")
      .lacks(Feature.SEARCH_NPROBE, "Pinecone serverless has no search-time nprobe parameter")
      .consistency(Capabilities.Consistency.EVENTUAL)
      .maxTopK(10_000)
      .maxDimension(MAX_DIMENSION)
      .build();

  private final PineconeHttp http;
  private final ControlPlane control;
  private final String cloud;
  private final String region;
  private final boolean tls;
  private final HttpUrl indexHostOverride;
  private final Duration readyTimeout;
  private final Duration pollFirst;
  private final Duration pollMax;
  private final PineconeCollection.Context context;
  private final String namespace;
  private final String label;

  private PineconeVectorStore(Builder b) {
    super(List.of(b.apiKey));
    HttpUrl cp = parseUrl(b.controlPlaneUrl, "controlPlaneUrl");
    this.tls = b.tls;
    checkTls(cp, "control plane");
    this.http = new PineconeHttp(b.apiKey, b.connectTimeout, b.callTimeout, b.policy);
    this.control = new ControlPlane(http, cp);
    this.cloud = b.cloud;
    this.region = b.region;
    this.indexHostOverride = b.indexHost == null ? null : hostUrl(b.indexHost);
    this.readyTimeout = b.readyTimeout;
    this.pollFirst = b.pollFirst;
    this.pollMax = b.pollMax;
    this.context = new PineconeCollection.Context(b.freshnessTimeout,
        min(b.pollFirst, PineconeCollection.FRESHNESS_POLL_FIRST), min(b.pollMax, PineconeCollection.FRESHNESS_POLL_MAX));
    this.namespace = b.namespace;
    this.label = "pinecone:" + cp;
  }

  /** @return a builder with Pinecone's public control plane, aws/us-east-1 and TLS */
  public static Builder builder() {
    return new Builder();
  }

  private static HttpUrl parseUrl(String url, String what) {
    HttpUrl u = HttpUrl.parse(url);
    if (u == null) {
      throw new InvalidArgumentException(what + " '" + url + "' is not an http(s) URL");
    }
    return u;
  }

  private void checkTls(HttpUrl url, String what) {
    if (!url.isHttps() && !isLoopback(url.host())) {
      throw new InvalidArgumentException("refusing plain HTTP to the " + what + " at non-loopback host '" + url.host()
          + "': the API key would travel unencrypted; use https");
    }
  }

  private static boolean isLoopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    try {
      return (host.matches("[0-9.]+") || host.contains(":")) && InetAddress.getByName(host).isLoopbackAddress();
    } catch (Exception e) {
      return false;
    }
  }

  private HttpUrl hostUrl(String host) {
    String h = host.contains("://") ? host : (tls ? "https://" : "http://") + host;
    HttpUrl u = parseUrl(h, "index host");
    checkTls(u, "index host");
    return u;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  protected AbstractVectorCollection doCreateCollection(CollectionSpec spec) {
    String index = Names.indexName(spec.name());
    Map<String, String> tags = new LinkedHashMap<>(Names.tags(spec.name()));
    tags.putAll(SpecTags.encode(spec));
    ControlPlane.IndexModel created = control.create(spec.name(), index, spec.dimension(), metricName(spec.metric()),
        cloud, region, tags);
    ControlPlane.IndexModel ready = awaitReady(spec.name(), created);
    return open(spec, ready);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private ControlPlane.IndexModel awaitReady(String collection, ControlPlane.IndexModel model) {
    long deadline = System.nanoTime() + readyTimeout.toNanos();
    long sleep = pollFirst.toMillis();
    while (!model.ready()) {
      if (System.nanoTime() > deadline) {
        throw new DeadlineExceededException("Pinecone index '" + model.name() + "' was not ready within "
            + readyTimeout + " (state " + model.state() + "); it may still become ready", null);
      }
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DeadlineExceededException("interrupted while waiting for index '" + model.name() + "'", e);
      }
      sleep = Math.min(pollMax.toMillis(), sleep * 2);
      model = describe(collection).orElseThrow(() -> new CollectionNotFoundException(collection));
    }
    return model;
  }

  private AbstractVectorCollection open(CollectionSpec spec, ControlPlane.IndexModel model) {
    HttpUrl base = indexHostOverride != null ? indexHostOverride : hostUrl(model.host());
    boolean foreign = !SpecTags.isQuiver(model.tags());
    // Quiver's own collections use the default namespace (tenants: their own); a foreign index the store's
    return new PineconeCollection(this, context, spec, new DataPlane(http, base, spec.name(), foreign ? namespace : null),
        foreign ? Layout.foreign() : Layout.quiver(spec));
  }

  /**
   * Finds the index of a collection: the index its name maps to ({@link Names}), unless that index holds
   * another collection (by its tags); failing that, an index made outside Quiver whose own name is the
   * collection name but is one Quiver would escape (it contains "--").
   */
  private Optional<ControlPlane.IndexModel> describe(String name) {
    String index = Names.indexName(name);
    Optional<ControlPlane.IndexModel> m = control.describe(name, index)
        .filter(x -> Names.collectionName(x.name(), x.tags()).filter(name::equals).isPresent());
    if (m.isPresent() || index.equals(name) || !Names.isIndexName(name)) {
      return m;
    }
    return control.describe(name, name).filter(x -> !SpecTags.isQuiver(x.tags()));
  }

  @Override
  protected AbstractVectorCollection doCollection(String name) {
    ControlPlane.IndexModel model = describe(name).orElseThrow(() -> new CollectionNotFoundException(name));
    model = awaitReady(name, model);
    return open(toSpec(name, model), model);
  }

  @Override
  protected boolean doHasCollection(String name) {
    return describe(name).filter(m -> !m.state().equals("Terminating")).isPresent();
  }

  @Override
  protected List<String> doListCollections() {
    List<String> out = new ArrayList<>();
    for (ControlPlane.IndexModel m : control.list()) {
      if (m.state().equals("Terminating")) {
        continue;
      }
      if (SpecTags.isQuiver(m.tags())) {
        Names.collectionName(m.name(), m.tags()).ifPresent(out::add);
      } else if (Character.isLetter(m.name().charAt(0))) {
        out.add(m.name()); // made outside Quiver: its own name (index names are valid collection names once they start with a letter)
      }
    }
    return new ArrayList<>(new java.util.TreeSet<>(out));
  }

  @Override
  protected CollectionSpec doDescribeCollection(String name) {
    return toSpec(name, describe(name).orElseThrow(() -> new CollectionNotFoundException(name)));
  }

  @Override
  protected boolean doDropCollection(String name) {
    Optional<ControlPlane.IndexModel> model = describe(name);
    if (model.isEmpty()) {
      return false;
    }
    String index = model.get().name();
    boolean existed = control.delete(name, index);
    // Wait (bounded) until Pinecone has let go of the name, so a create right after does not collide.
    long deadline = System.nanoTime() + readyTimeout.toNanos();
    long sleep = pollFirst.toMillis();
    while (existed && System.nanoTime() < deadline && control.describe(name, index).isPresent()) {
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      sleep = Math.min(pollMax.toMillis(), sleep * 2);
    }
    return existed;
  }

  private CollectionSpec toSpec(String name, ControlPlane.IndexModel m) {
    if (!m.vectorType().equals("dense") || m.dimension() < 1) {
      throw new InvalidArgumentException("Pinecone index '" + m.name() + "' is a " + m.vectorType()
          + " index (sparse vectors only); Quiver collections are dense, so it cannot be opened");
    }
    CollectionSpec.Builder b = CollectionSpec.builder(name).dimension(m.dimension()).metric(metric(m.metric()));
    if (SpecTags.isQuiver(m.tags())) {
      return SpecTags.decode(b, m.tags()).build();
    }
    return b.index(SpecTags.DEFAULT_INDEX).layout(foreignLayout(m)).build();
  }

  /** How an index made outside Quiver maps, in words, for {@link CollectionSpec#layout()}. */
  private Map<String, String> foreignLayout(ControlPlane.IndexModel m) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("index", "Pinecone index '" + m.name() + "' made outside Quiver (no quiver_index tag); Quiver adds no"
        + " reserved keys to it");
    out.put("namespace", namespace == null ? "the default namespace (store option namespace=... opens another)"
        : "namespace '" + namespace + "' (store option namespace)");
    out.put("id", "the record id as it is (writes: 1 to 512 printable ASCII characters without spaces)");
    out.put("vector", "the dense values (dimension " + m.dimension() + ", metric " + m.metric() + ")");
    out.put("metadata", "Pinecone metadata key by key: strings, booleans and lists of strings as they are; numbers"
        + " (float64) read as Double. A record with a key Quiver cannot name (see Metadata.checkKey) or with sparse"
        + " values is refused by name, never read without them");
    out.put("readOnly", "nothing");
    return out;
  }

  static String metricName(Metric m) {
    return switch (m) {
      case COSINE -> "cosine";
      case DOT_PRODUCT -> "dotproduct";
      case EUCLIDEAN -> "euclidean";
    };
  }

  static Metric metric(String name) {
    return switch (name) {
      case "cosine" -> Metric.COSINE;
      case "dotproduct" -> Metric.DOT_PRODUCT;
      case "euclidean" -> Metric.EUCLIDEAN;
      default -> throw new InvalidArgumentException("Pinecone metric '" + name + "' is not one Quiver knows");
    };
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  protected void doClose() {
    http.close();
  }

  @Override
  protected String label() {
    return label;
  }

  @Override
  public String toString() {
    return "PineconeVectorStore[" + label + ", " + cloud + "/" + region
        + (namespace == null ? "" : ", namespace " + namespace) + ", apiKey=***]";
  }

  /** Builds a {@link PineconeVectorStore}. */
  public static final class Builder {
    private Secret apiKey;
    private String controlPlaneUrl = "https://api.pinecone.io";
    private String cloud = "aws";
    private String region = "us-east-1";
    private boolean tls = true;
    private String indexHost;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration callTimeout = Duration.ofSeconds(30);
    private Duration readyTimeout = Duration.ofMinutes(3);
    private Duration pollFirst = Duration.ofMillis(100);
    private Duration pollMax = Duration.ofSeconds(2);
    private Duration freshnessTimeout = Duration.ofSeconds(30);
    private RemotePolicy policy = RemotePolicy.DEFAULT;
    private String namespace;

    private Builder() {}

    /**
     * The namespace in which indexes made outside Quiver are read and written (default: the default
     * namespace). LangChain4j, for example, writes to namespace {@code default}. Collections Quiver
     * created are not affected: they use the default namespace, and multi-tenant ones their tenants'.
     *
     * @param namespace 1 to 512 ASCII characters without control characters; {@code __default__} is the default
     *     namespace
     * @return this builder
     */
    public Builder namespace(String namespace) {
      notNull(namespace, "namespace");
      if (namespace.isEmpty() || namespace.length() > 512 || !namespace.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        throw new InvalidArgumentException("namespace must be 1 to 512 printable ASCII characters, got "
            + (namespace.length() > 512 ? namespace.length() + " characters" : "'" + namespace + "'"));
      }
      this.namespace = namespace.equals(DataPlane.DEFAULT_NAMESPACE) ? null : namespace;
      return this;
    }

    /**
     * @param apiKey the Pinecone API key (required); only ever sent in the {@code Api-Key} header
     * @return this builder
     */
    public Builder apiKey(Secret apiKey) {
      this.apiKey = notNull(apiKey, "apiKey");
      return this;
    }

    /**
     * @param url the control plane, default {@code https://api.pinecone.io}; plain http only to loopback (tests)
     * @return this builder
     */
    public Builder controlPlaneUrl(String url) {
      this.controlPlaneUrl = notNull(url, "controlPlaneUrl");
      return this;
    }

    /**
     * @param cloud serverless cloud for new indexes: {@code aws}, {@code gcp} or {@code azure} (default aws)
     * @return this builder
     */
    public Builder cloud(String cloud) {
      this.cloud = notNull(cloud, "cloud");
      return this;
    }

    /**
     * @param region serverless region for new indexes (default {@code us-east-1})
     * @return this builder
     */
    public Builder region(String region) {
      this.region = notNull(region, "region");
      return this;
    }

    /**
     * @param tls whether index hosts are reached over https (default true; false is allowed for loopback only)
     * @return this builder
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * @param host an index host (with or without scheme) used for every collection instead of the host
     *     Pinecone describes; for tests and private endpoints
     * @return this builder
     */
    public Builder indexHost(String host) {
      this.indexHost = host;
      return this;
    }

    /**
     * @param connect TCP connect deadline (default 10 s)
     * @param call deadline of each HTTP attempt, end to end (default 30 s); an attempt is also cut short
     *     when the call's budget ({@link RemotePolicy#callBudget()}) runs out
     * @return this builder
     */
    public Builder timeouts(Duration connect, Duration call) {
      this.connectTimeout = positive(connect, "connect timeout");
      this.callTimeout = positive(call, "call timeout");
      return this;
    }

    /**
     * @param timeout how long createCollection waits for a new index to be ready, and dropCollection for the
     *     name to be free (default 3 min)
     * @return this builder
     */
    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = positive(timeout, "ready timeout");
      return this;
    }

    /**
     * How often the store polls Pinecone while it waits: for a new index to be ready, for a dropped
     * index's name to be released (doubling from {@code first} up to {@code max}; default 100 ms and
     * 2 s), and for its own writes to be indexed before a read (then at most 20 ms and 500 ms).
     *
     * @param first the first pause between polls (at least 1 ms)
     * @param max the longest pause between polls (at least {@code first})
     * @return this builder
     */
    public Builder pollInterval(Duration first, Duration max) {
      Duration f = positive(first, "first poll interval");
      Duration m = positive(max, "max poll interval");
      if (f.toMillis() < 1 || m.compareTo(f) < 0) {
        throw new InvalidArgumentException("poll intervals must satisfy 1 ms <= first <= max, got " + f + " and " + m);
      }
      this.pollFirst = f;
      this.pollMax = m;
      return this;
    }

    /**
     * @param timeout how long a read waits for this store's earlier writes to be indexed (default 30 s; zero
     *     turns the wait off)
     * @return this builder
     */
    public Builder freshnessTimeout(Duration timeout) {
      Duration t = notNull(timeout, "freshness timeout");
      this.freshnessTimeout = t.isZero() || t.isNegative() ? Duration.ZERO : positive(t, "freshness timeout");
      return this;
    }

    /**
     * @param policy retries of idempotent calls, the budget of one call with its retries, and the circuit
     *     breaker (default {@link RemotePolicy#DEFAULT}; docs/resilience.md)
     * @return this builder
     */
    public Builder remotePolicy(RemotePolicy policy) {
      this.policy = notNull(policy, "policy");
      positive(policy.callBudget(), "call budget");
      positive(policy.maxBackoff(), "max backoff");
      positive(policy.breakerOpenFor(), "breaker open time");
      return this;
    }

    private static <T> T notNull(T value, String what) {
      if (value == null) {
        throw new InvalidArgumentException(what + " must not be null");
      }
      return value;
    }

    /** Positive and at most a day: longer waits help nobody, and nanosecond arithmetic stays in range. */
    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
        throw new InvalidArgumentException(what + " must be positive and at most a day, got " + d);
      }
      return d;
    }

    /**
     * @return the store (no network call is made until it is used)
     * @throws InvalidArgumentException if the key is missing or malformed, or a URL is bad; the message
     *     never contains the key
     */
    public PineconeVectorStore build() {
      if (apiKey == null) {
        throw new InvalidArgumentException("a Pinecone API key is required: builder().apiKey(Secret.of(...)), the"
            + " apiKey URI option, or the QUIVER_PINECONE_API_KEY / PINECONE_API_KEY environment variable");
      }
      checkKey(apiKey);
      return new PineconeVectorStore(this);
    }
  }

  /**
   * Refuses a key that cannot travel in an HTTP header, before any request: OkHttp would otherwise
   * throw at the first call with the whole header value in its message.
   */
  static void checkKey(Secret key) {
    String k = key.reveal();
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        String kind = c == '\n' || c == '\r' ? "a line break" : c == ' ' || c == '\t' ? "white space"
            : c < 0x20 || c == 0x7f ? "a control character" : "a non-ASCII character";
        throw new InvalidArgumentException("the Pinecone API key is malformed: it has " + kind + " at position "
            + (i + 1) + " of " + k.length() + " (Pinecone keys are printable ASCII without spaces; the key is not"
            + " shown)");
      }
    }
  }

  /** @return the index host used for every collection instead of the described one, if set */
  Optional<HttpUrl> indexHostOverride() {
    return Optional.ofNullable(indexHostOverride);
  }
}
