package dev.quiver.qdrant;

import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Secret;
import dev.quiver.qdrant.internal.ForeignLayout;
import dev.quiver.qdrant.internal.Layout;
import dev.quiver.qdrant.internal.QdrantCollection;
import dev.quiver.qdrant.internal.QuiverLayout;
import dev.quiver.qdrant.internal.Rpc;
import dev.quiver.qdrant.internal.Specs;
import dev.quiver.spi.AbstractVectorCollection;
import dev.quiver.spi.AbstractVectorStore;
import dev.quiver.spi.RemotePolicy;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.qdrant.client.grpc.Collections.CollectionDescription;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Quiver store on a Qdrant server, over gRPC (port 6334). Thread-safe; close it when done.
 *
 * <pre>{@code
 * try (VectorStore store = QdrantVectorStore.builder().host("qdrant.example.com")
 *     .apiKey(Secret.of(System.getenv("QDRANT_API_KEY"))).build()) { ... }
 * }</pre>
 *
 * <p>Or {@code Quiver.open("qdrant://localhost:6334")} / {@code "qdrant+tls://host:6334?apiKey=..."}.
 * TLS is on by default for every host that is not a loopback address. Every request has a deadline
 * ({@link Builder#timeout}, retries included); transient errors (UNAVAILABLE, ABORTED,
 * RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED) of idempotent calls are retried by the shared
 * {@link RemotePolicy}, whose circuit breaker guards the store (docs/resilience.md). Arguments are
 * checked, secrets scrubbed and errors typed by the {@link AbstractVectorStore} boundary. How Quiver's
 * model maps to Qdrant (ids, vectors, filters, scores, cursors) is described in
 * {@code docs/backends/qdrant.md}.
 */
public final class QdrantVectorStore extends AbstractVectorStore {

  /** The backend's name in capabilities and messages. */
  public static final String BACKEND = "qdrant";
  /** Qdrant's gRPC port. */
  public static final int DEFAULT_PORT = 6334;

  private static final Logger LOG = LoggerFactory.getLogger(QdrantVectorStore.class);
  private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.\\d{1,3}){3}");
  /** Quiver's collection name rule ({@link CollectionSpec#checkName}). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,254}");

  static final Capabilities CAPABILITIES = Capabilities.builder(BACKEND)
      .supportsNatively(Feature.INDEX_FLAT, Feature.INDEX_HNSW, Feature.METRIC_COSINE, Feature.METRIC_DOT_PRODUCT,
          Feature.METRIC_EUCLIDEAN, Feature.DELETE_BY_FILTER, Feature.COUNT_BY_FILTER, Feature.LIST,
          Feature.LIST_BY_FILTER, Feature.UPDATE_METADATA, Feature.FILTERED_SEARCH, Feature.SEARCH_INCLUDE_VECTORS,
          Feature.EXACT_LONGS, Feature.SEARCH_EF, Feature.DURABILITY, Feature.ZERO_VECTORS, Feature.DECLARED_FIELDS,
          Feature.TENANTS, Feature.FOREIGN_COLLECTIONS)
      .lacks(Feature.INDEX_IVF_FLAT, "Qdrant has no IVF index; use HNSW or FLAT")
      .lacks(Feature.INDEX_IVF_PQ, "Qdrant has no IVF index (its product quantisation works only on top of HNSW)")
      .lacks(Feature.SEARCH_NPROBE, "Qdrant has no IVF index, so there is no nprobe")
      .consistency(Capabilities.Consistency.STRONG)
      .maxTopK(10_000)
      .maxDimension(CollectionSpec.MAX_DIMENSION)
      .build();

  /** Keepalive ping after this long without reads on a connection with calls in flight. */
  static final Duration KEEPALIVE_TIME = Duration.ofSeconds(20);
  /** A keepalive ping unanswered this long closes the connection. */
  static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);
  /** A channel without calls this long lets its connection go. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

  private final Rpc rpc;
  private final String label;

  private QdrantVectorStore(Rpc rpc, String label, Collection<Secret> secrets) {
    super(secrets);
    this.rpc = rpc;
    this.label = label;
  }

  /** @return a builder for {@code localhost:6334} without TLS, API key or custom timeouts */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected AbstractVectorCollection doCreateCollection(CollectionSpec spec) {
    var req = Specs.createRequest(spec);
    // not retried: a create that timed out but took effect would come back as "already exists"
    rpc.once("create collection", spec.name(), () -> rpc.collections().create(req));
    try {
      for (CreateFieldIndexCollection index : Specs.indexRequests(spec)) {
        rpc.idempotent("create payload index", spec.name(), () -> rpc.points().createFieldIndex(index));
      }
    } catch (RuntimeException e) {
      // a collection without its indexes would filter correctly but slowly, and the tenant index is the
      // contract of a multi-tenant collection: take the half-made collection away
      try {
        rpc.once("drop collection", spec.name(), () -> rpc.collections().delete(
            DeleteCollection.newBuilder().setCollectionName(spec.name()).build()));
      } catch (RuntimeException dropped) {
        e.addSuppressed(dropped);
      }
      throw e;
    }
    return new QdrantCollection(this, rpc, new QuiverLayout(spec, null));
  }

  @Override
  protected AbstractVectorCollection doCollection(String name) {
    CollectionInfo info = info(name);
    Layout layout = Specs.isQuiver(info) ? new QuiverLayout(Specs.fromInfo(name, info), null)
        : ForeignLayout.open(name, info, Optional.empty(), false);
    return new QdrantCollection(this, rpc, layout);
  }

  @Override
  protected AbstractVectorCollection doCollection(String name, String vector) {
    CollectionInfo info = info(name);
    if (Specs.isQuiver(info)) {
      throw new InvalidArgumentException("collection '" + name + "' was created by Quiver and has one vector to use:"
          + " open it with collection(name)");
    }
    return new QdrantCollection(this, rpc, ForeignLayout.open(name, info, Optional.of(vector), false));
  }

  private CollectionInfo info(String name) {
    var req = GetCollectionInfoRequest.newBuilder().setCollectionName(name).build();
    return rpc.idempotent("describe collection", name, () -> rpc.collections().get(req)).getResult();
  }

  @Override
  protected boolean doHasCollection(String name) {
    var req = CollectionExistsRequest.newBuilder().setCollectionName(name).build();
    return rpc.idempotent("collection exists", name, () -> rpc.collections().collectionExists(req))
        .getResult().getExists();
  }

  @Override
  protected List<String> doListCollections() {
    var req = ListCollectionsRequest.getDefaultInstance();
    List<String> out = new ArrayList<>();
    for (CollectionDescription d : rpc.idempotent("list collections", null, () -> rpc.collections().list(req))
        .getCollectionsList()) {
      if (NAME.matcher(d.getName()).matches()) {
        out.add(d.getName());  // a name Quiver's rule refuses could not be opened: not listed (docs/backends/qdrant.md)
      }
    }
    out.sort(null);
    return out;
  }

  @Override
  protected CollectionSpec doDescribeCollection(String name) {
    CollectionInfo info = info(name);
    return Specs.isQuiver(info) ? Specs.fromInfo(name, info) : ForeignLayout.open(name, info, Optional.empty(), true).spec();
  }

  @Override
  protected boolean doDropCollection(String name) {
    var req = DeleteCollection.newBuilder().setCollectionName(name).build();
    // not retried: a retry after a drop that took effect would wrongly report false
    return rpc.once("drop collection", name, Rpc.or(
        () -> rpc.collections().delete(req).getResult(),
        e -> e.getStatus().getCode() == Status.Code.NOT_FOUND ? Boolean.FALSE : null));
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  protected void doClose() {
    rpc.close();
  }

  @Override
  protected String label() {
    return label;
  }

  /** @return the address, without credentials */
  @Override
  public String toString() {
    return "QdrantVectorStore[" + label + "]";
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
        || LOOPBACK_V4.matcher(h).matches();
  }

  /** Builds a {@link QdrantVectorStore}. */
  public static final class Builder {
    private String host = "localhost";
    private int port = DEFAULT_PORT;
    private Boolean tls;
    private Secret apiKey;
    private RemotePolicy policy = RemotePolicy.DEFAULT;
    private int maxInboundMessageBytes = 256 << 20;
    private ManagedChannel channel;
    private final Collection<Secret> secrets = new HashSet<>();

    private Builder() {}

    /**
     * @param host the server's host name or address
     * @return this builder
     */
    public Builder host(String host) {
      if (host == null || host.isBlank()) {
        throw new InvalidArgumentException("Qdrant host must not be blank");
      }
      this.host = host;
      return this;
    }

    /**
     * @param port the gRPC port (default 6334)
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new InvalidArgumentException("port " + port + " is out of range 1..65535");
      }
      this.port = port;
      return this;
    }

    /**
     * @param tls whether to use TLS; by default on for every host but loopback addresses
     * @return this builder
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * @param apiKey the API key, sent in the {@code api-key} header; {@code null} for none
     * @return this builder
     */
    public Builder apiKey(Secret apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /**
     * @param timeout the deadline of every request to Qdrant, connecting and retries included
     *     (default 30 s, the shared policy's call budget); a call that needs several requests (an
     *     upsert of more than 256 records, a page of more than 1000) gives each its own
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.policy = policy.withCallBudget(positive(timeout, "timeout"));
      return this;
    }

    /**
     * @param maxAttempts attempts per idempotent call when errors are transient (default 3; 1 = no retries)
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      this.policy = policy.withMaxAttempts(maxAttempts);
      return this;
    }

    /**
     * @param retryBackoff wait before the first retry, doubled for each further one (default 100 ms)
     * @return this builder
     */
    public Builder retryBackoff(Duration retryBackoff) {
      RemotePolicy p = policy;
      this.policy = new RemotePolicy(p.maxAttempts(), positive(retryBackoff, "retryBackoff"), p.maxBackoff(),
          p.callBudget(), p.breakerThreshold(), p.breakerOpenFor());
      return this;
    }

    /**
     * @param policy the whole retry and circuit-breaker policy (default {@link RemotePolicy#DEFAULT});
     *     its call budget is the {@linkplain #timeout timeout}
     * @return this builder
     */
    public Builder policy(RemotePolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Values that must never appear in a message of this store, beside the API key (the provider
     * passes every secret option of the address).
     */
    Builder secrets(Collection<Secret> more) {
      secrets.addAll(more);
      return this;
    }

    /**
     * @param bytes largest response accepted (default 256 MiB); large pages with vectors need room
     * @return this builder
     */
    public Builder maxInboundMessageBytes(int bytes) {
      if (bytes < 1 << 20) {
        throw new InvalidArgumentException("maxInboundMessageBytes must be at least 1 MiB, got " + bytes);
      }
      this.maxInboundMessageBytes = bytes;
      return this;
    }

    /**
     * Uses an existing channel (for tests, or custom transports) instead of host/port/TLS. The store
     * does not shut it down on close.
     *
     * @param channel the channel
     * @return this builder
     */
    public Builder channel(ManagedChannel channel) {
      this.channel = Objects.requireNonNull(channel, "channel");
      return this;
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new InvalidArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }

    /** @return the store; the connection is made lazily, on the first call */
    public QdrantVectorStore build() {
      String key = apiKey == null ? null : apiKey.reveal();
      List<Secret> all = new ArrayList<>(secrets);
      if (apiKey != null) {
        all.add(apiKey);
      }
      if (channel != null) {
        String label = "channel " + channel.authority();
        return new QdrantVectorStore(new Rpc(channel, false, key, policy), label, all);
      }
      boolean useTls = tls != null ? tls : !isLoopback(host);
      String label = (useTls ? "qdrant+tls://" : "qdrant://") + host + ":" + port;
      if (!useTls && key != null && !isLoopback(host)) {
        LOG.warn("Qdrant store {} sends its API key without TLS", label);
      }
      ChannelCredentials creds = useTls ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
      // Wait-for-ready stays off (grpc's default): a call to a server that is down fails at once with
      // UNAVAILABLE instead of waiting out its deadline. Rpc resets the reconnect backoff on every
      // UNAVAILABLE, so a restarted server is used by the next attempt. Keepalive drops a connection
      // whose peer stopped answering (a dead host behind a live route); an idle channel lets its
      // connection go, so a long pause starts afresh.
      ManagedChannel ch = Grpc.newChannelBuilderForAddress(host, port, creds)
          .maxInboundMessageSize(maxInboundMessageBytes)
          .userAgent("quiver-qdrant")
          .idleTimeout(IDLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          .keepAliveTime(KEEPALIVE_TIME.toSeconds(), TimeUnit.SECONDS)
          .keepAliveTimeout(KEEPALIVE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          .build();
      return new QdrantVectorStore(new Rpc(ch, true, key, policy), label, all);
    }
  }
}
