package dev.quiver.pinecone;

import dev.quiver.Capabilities;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.DeadlineExceededException;
import dev.quiver.Feature;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metric;
import dev.quiver.Secret;
import dev.quiver.pinecone.internal.ControlPlane;
import dev.quiver.pinecone.internal.DataPlane;
import dev.quiver.pinecone.internal.Names;
import dev.quiver.pinecone.internal.PineconeCollection;
import dev.quiver.pinecone.internal.PineconeHttp;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * A Pinecone project seen as a Quiver store: each collection is one serverless Pinecone index (named
 * after it, see {@link #capabilities()} and docs/backends/pinecone.md for every mapping), using the
 * index's default namespace. Talks to Pinecone's REST API, pinned to version {@value #API_VERSION}.
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
  /** The index tag where the collection's index spec is kept. */
  static final String INDEX_TAG = "quiver_index";
  /** What an index made outside Quiver (no tag) describes as. */
  static final IndexSpec DEFAULT_INDEX = IndexSpec.hnsw(16, 200);
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
    tags.put(INDEX_TAG, indexTag(spec.index()));
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
    return new PineconeCollection(this, context, spec, new DataPlane(http, base, spec.name()));
  }

  /** Describes the index of a collection; an index that holds another collection (by its tags) is not it. */
  private Optional<ControlPlane.IndexModel> describe(String name) {
    String index = Names.indexName(name);
    return control.describe(name, index)
        .filter(m -> Names.collectionName(m.name(), m.tags()).filter(name::equals).isPresent());
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
      if (!m.state().equals("Terminating")) {
        Names.collectionName(m.name(), m.tags()).ifPresent(out::add);
      }
    }
    out.sort(null);
    return out;
  }

  @Override
  protected CollectionSpec doDescribeCollection(String name) {
    return toSpec(name, describe(name).orElseThrow(() -> new CollectionNotFoundException(name)));
  }

  @Override
  protected boolean doDropCollection(String name) {
    String index = Names.indexName(name);
    if (describe(name).isEmpty()) {
      return false;
    }
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

  private static CollectionSpec toSpec(String name, ControlPlane.IndexModel m) {
    if (!m.vectorType().equals("dense") || m.dimension() < 1) {
      throw new InvalidArgumentException("Pinecone index '" + m.name() + "' is a " + m.vectorType()
          + " index; Quiver collections are dense");
    }
    return CollectionSpec.builder(name).dimension(m.dimension()).metric(metric(m.metric()))
        .index(parseIndexTag(m.tags().get(INDEX_TAG))).build();
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

  private static final Pattern HNSW_TAG = Pattern.compile("hnsw-(\\d{1,3})-(\\d{1,9})");

  static String indexTag(IndexSpec index) {
    IndexSpec.Hnsw h = (IndexSpec.Hnsw) index; // the only kind createCollection lets through
    return "hnsw-" + h.m() + "-" + h.efConstruction();
  }

  static IndexSpec parseIndexTag(String tag) {
    Matcher m = tag == null ? null : HNSW_TAG.matcher(tag);
    if (m == null || !m.matches()) {
      return DEFAULT_INDEX;
    }
    try {
      return IndexSpec.hnsw(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    } catch (InvalidArgumentException e) {
      return DEFAULT_INDEX;
    }
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
    return "PineconeVectorStore[" + label + ", " + cloud + "/" + region + ", apiKey=***]";
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

    private Builder() {}

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
