package dev.quiver.qdrant;

import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Secret;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.qdrant.internal.QdrantCollection;
import dev.quiver.qdrant.internal.Rpc;
import dev.quiver.qdrant.internal.Specs;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.qdrant.client.grpc.Collections.CollectionDescription;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
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
 * TLS is on by default for every host that is not a loopback address. Every call has a deadline;
 * transient errors (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED) of idempotent calls are
 * retried with exponential backoff, and a circuit breaker guards the store. How Quiver's model maps
 * to Qdrant (ids, vectors, filters, scores, cursors) is described in {@code docs/backends/qdrant.md}.
 */
public final class QdrantVectorStore implements VectorStore {

  /** The backend's name in capabilities and messages. */
  public static final String BACKEND = "qdrant";
  /** Qdrant's gRPC port. */
  public static final int DEFAULT_PORT = 6334;

  private static final Logger LOG = LoggerFactory.getLogger(QdrantVectorStore.class);
  private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.\\d{1,3}){3}");

  static final Capabilities CAPABILITIES = Capabilities.builder(BACKEND)
      .supportsNatively(Feature.INDEX_FLAT, Feature.INDEX_HNSW, Feature.METRIC_COSINE, Feature.METRIC_DOT_PRODUCT,
          Feature.METRIC_EUCLIDEAN, Feature.DELETE_BY_FILTER, Feature.COUNT_BY_FILTER, Feature.LIST,
          Feature.LIST_BY_FILTER, Feature.UPDATE_METADATA, Feature.FILTERED_SEARCH, Feature.SEARCH_INCLUDE_VECTORS,
          Feature.EXACT_LONGS, Feature.SEARCH_EF, Feature.DURABILITY, Feature.ZERO_VECTORS)
      .lacks(Feature.INDEX_IVF_FLAT, "Qdrant has no IVF index; use HNSW or FLAT")
      .lacks(Feature.INDEX_IVF_PQ, "Qdrant has no IVF index (its product quantisation works only on top of HNSW)")
      .lacks(Feature.SEARCH_NPROBE, "Qdrant has no IVF index, so there is no nprobe")
      .consistency(Capabilities.Consistency.STRONG)
      .maxTopK(10_000)
      .maxDimension(CollectionSpec.MAX_DIMENSION)
      .build();

  private final Rpc rpc;
  private final String label;

  private QdrantVectorStore(Rpc rpc, String label) {
    this.rpc = rpc;
    this.label = label;
  }

  /** @return a builder for {@code localhost:6334} without TLS, API key or custom timeouts */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public VectorCollection createCollection(CollectionSpec spec) {
    if (spec == null) {
      throw new InvalidArgumentException("collection spec must not be null");
    }
    CAPABILITIES.require(Feature.of(spec.metric()));
    CAPABILITIES.require(spec.index().feature());
    var req = Specs.createRequest(spec);
    // not retried: a create that timed out but took effect would come back as "already exists"
    rpc.call("create collection", spec.name(), false, () -> rpc.collections().create(req));
    return new QdrantCollection(rpc, CAPABILITIES, spec);
  }

  @Override
  public VectorCollection collection(String name) {
    return new QdrantCollection(rpc, CAPABILITIES, describeCollection(name));
  }

  @Override
  public boolean hasCollection(String name) {
    CollectionSpec.checkName(name);
    var req = CollectionExistsRequest.newBuilder().setCollectionName(name).build();
    return rpc.call("collection exists", name, true, () -> rpc.collections().collectionExists(req))
        .getResult().getExists();
  }

  @Override
  public List<String> listCollections() {
    var req = ListCollectionsRequest.getDefaultInstance();
    List<String> out = new ArrayList<>();
    for (CollectionDescription d : rpc.call("list collections", null, true, () -> rpc.collections().list(req))
        .getCollectionsList()) {
      out.add(d.getName());
    }
    out.sort(null);
    return out;
  }

  @Override
  public CollectionSpec describeCollection(String name) {
    CollectionSpec.checkName(name);
    var req = GetCollectionInfoRequest.newBuilder().setCollectionName(name).build();
    var info = rpc.call("describe collection", name, true, () -> rpc.collections().get(req)).getResult();
    return Specs.fromInfo(name, info);
  }

  @Override
  public boolean dropCollection(String name) {
    CollectionSpec.checkName(name);
    var req = DeleteCollection.newBuilder().setCollectionName(name).build();
    // not retried: a retry after a drop that took effect would wrongly report false
    return rpc.callOr("drop collection", name, false,
        () -> rpc.collections().delete(req).getResult(),
        e -> e.getStatus().getCode() == Status.Code.NOT_FOUND ? Boolean.FALSE : null);
  }

  @Override
  public Capabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public void close() {
    rpc.close();
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
    private Duration timeout = Duration.ofSeconds(30);
    private int maxAttempts = 3;
    private Duration retryBackoff = Duration.ofMillis(200);
    private int maxInboundMessageBytes = 256 << 20;
    private ManagedChannel channel;

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
     * @param timeout the deadline of every call attempt, connecting included (default 30 s)
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * @param maxAttempts attempts per idempotent call when errors are transient (default 3; 1 = no retries)
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new InvalidArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * @param retryBackoff wait before the first retry, doubled for each further one (default 200 ms)
     * @return this builder
     */
    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = positive(retryBackoff, "retryBackoff");
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
      if (channel != null) {
        String label = "channel " + channel.authority();
        return new QdrantVectorStore(new Rpc(channel, false, key, timeout, maxAttempts, retryBackoff, label), label);
      }
      boolean useTls = tls != null ? tls : !isLoopback(host);
      String label = (useTls ? "qdrant+tls://" : "qdrant://") + host + ":" + port;
      if (!useTls && key != null && !isLoopback(host)) {
        LOG.warn("Qdrant store {} sends its API key without TLS", label);
      }
      ChannelCredentials creds = useTls ? TlsChannelCredentials.create() : InsecureChannelCredentials.create();
      ManagedChannel ch = Grpc.newChannelBuilderForAddress(host, port, creds)
          .maxInboundMessageSize(maxInboundMessageBytes)
          .userAgent("quiver-qdrant")
          .idleTimeout(5, TimeUnit.MINUTES)
          .build();
      return new QdrantVectorStore(new Rpc(ch, true, key, timeout, maxAttempts, retryBackoff, label), label);
    }
  }
}
