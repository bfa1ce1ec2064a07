package dev.quiver.milvus;

import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.Capabilities;
import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Secret;
import dev.quiver.StoreUri;
import dev.quiver.UnavailableException;
import dev.quiver.milvus.internal.Calls;
import dev.quiver.milvus.internal.Connection;
import dev.quiver.milvus.internal.Errors;
import dev.quiver.milvus.internal.MilvusCollection;
import dev.quiver.milvus.internal.Names;
import dev.quiver.milvus.internal.Opened;
import dev.quiver.milvus.internal.QuiverLayout;
import dev.quiver.milvus.internal.Schema;
import dev.quiver.milvus.internal.ServerTraits;
import dev.quiver.milvus.internal.SpecCodec;
import dev.quiver.spi.AbstractVectorCollection;
import dev.quiver.spi.AbstractVectorStore;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.index.request.ListIndexesReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Quiver on a Milvus server (Milvus 2.x, Zilliz Cloud, or the Milvus Lite server used in tests).
 * Open it with {@code Quiver.open("milvus://host:19530")} or the builder:
 *
 * <pre>{@code
 * try (VectorStore store = MilvusVectorStore.builder().host("milvus.internal").port(19530)
 *     .token(Secret.of(System.getenv("MILVUS_TOKEN"))).database("default").build()) { ... }
 * }</pre>
 *
 * <p>Arguments are checked, errors mapped and the token scrubbed from every message by the
 * {@link AbstractVectorStore} boundary. Every call has one deadline (default 10 s) that covers its
 * retries: transient failures of idempotent calls are retried by the shared
 * {@link dev.quiver.spi.RemotePolicy} (the SDK's own retries are off), and a connection that failed is
 * made afresh on the next call, so a handle survives a server restart. How Quiver maps collections,
 * records, filters and scores onto Milvus: {@code docs/backends/milvus.md}; failures and retries:
 * {@code docs/resilience.md}. Thread-safe.
 */
public final class MilvusVectorStore extends AbstractVectorStore {

  static final String BACKEND = "milvus";

  /** How long creating or opening a collection waits for it to load (Milvus's own default load timeout). */
  private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(10);

  private final Connection connection;
  private final Calls calls;
  private final Capabilities capabilities;
  private final String label;
  private final boolean lite;
  private final String serverVersion;
  private final ServerTraits traits;

  private MilvusVectorStore(Builder b) {
    super(b.token == null ? List.of() : List.of(b.token));
    this.label = (b.tls ? "milvus+tls://" : "milvus://") + b.host + ":" + b.port
        + (b.database == null ? "" : "/" + b.database);
    this.connection = new Connection(new Connection.Settings(b.host, b.port, b.tls, b.token, b.database, b.deadline,
        b.connectTimeout), label);
    this.calls = new Calls(connection, b.maxAttempts, b.deadline);
    String version;
    try {
      version = calls.idempotent("get server version", null, MilvusClientV2::getServerVersion);
    } catch (RuntimeException e) {
      connection.close();
      throw Errors.withoutSecret(e, b.token);
    }
    this.serverVersion = version == null ? "" : version;
    this.lite = isMilvusLite(serverVersion);
    this.traits = ServerTraits.of(serverVersion);
    this.capabilities = capabilities(lite);
  }

  /**
   * Whether a GetVersion answer comes from Milvus Lite 3.x, the Python re-implementation
   * ({@code milvus_lite-3.2.2}). Embedded Milvus (the PyPI package {@code milvus}: the real Milvus
   * binaries) answers {@code v2.3.5-lite} and is real Milvus, so "lite" alone does not identify it.
   *
   * @param version the server's version string
   * @return whether the server is Milvus Lite
   */
  static boolean isMilvusLite(String version) {
    String v = version.toLowerCase(Locale.ROOT);
    return v.startsWith("milvus_lite") || v.startsWith("milvus-lite");
  }

  /** @return the version the server reported when the store was opened (for example {@code v2.3.5-lite}) */
  public String serverVersion() {
    return serverVersion;
  }

  /** @return a builder for {@code localhost:19530}, no TLS, no token, the default database */
  public static Builder builder() {
    return new Builder();
  }

  static Capabilities capabilities(boolean lite) {
    Capabilities.Builder b = Capabilities.builder(BACKEND)
        .supportsNatively(Feature.INDEX_FLAT, Feature.INDEX_HNSW, Feature.INDEX_IVF_FLAT, Feature.METRIC_COSINE,
            Feature.METRIC_DOT_PRODUCT, Feature.METRIC_EUCLIDEAN, Feature.DELETE_BY_FILTER, Feature.COUNT_BY_FILTER,
            Feature.LIST, Feature.LIST_BY_FILTER, Feature.FILTERED_SEARCH, Feature.SEARCH_INCLUDE_VECTORS,
            Feature.EXACT_LONGS, Feature.SEARCH_EF, Feature.SEARCH_NPROBE, Feature.DURABILITY, Feature.ZERO_VECTORS,
            Feature.DECLARED_FIELDS, Feature.TENANTS, Feature.FOREIGN_COLLECTIONS)
        .emulates(Feature.UPDATE_METADATA, "reads the record and upserts it with the new metadata (not atomic"
            + " against a concurrent delete of the same id)")
        .lacks(Feature.REINDEX, "Milvus drops and creates an index only on a released collection, so searches"
            + " would fail meanwhile; an online re-index (copy into a new collection, then swap an alias) is not built")
        .consistency(Capabilities.Consistency.STRONG)
        .maxTopK(Schema.MAX_TOP_K - 16)
        .maxDimension(32_768);
    if (lite) {
      b.lacks(Feature.INDEX_IVF_PQ, "Milvus Lite (server version milvus_lite-*) accepts IVF_PQ but never builds"
          + " it (the build fails in the server log and search silently scans); use a real Milvus server");
    } else {
      b.supportsNatively(Feature.INDEX_IVF_PQ);
    }
    return b.build();
  }

  /** @return whether the server identified itself as Milvus Lite */
  public boolean isMilvusLite() {
    return lite;
  }

  @Override
  protected AbstractVectorCollection doCreateCollection(CollectionSpec spec) {
    String name = Names.toMilvus(spec.name());
    // Real Milvus answers "create" of an existing, identical collection with success, so check first.
    if (exists(name, spec.name())) {
      throw new CollectionAlreadyExistsException(spec.name());
    }
    CreateCollectionReq req = QuiverLayout.createRequest(spec, name, traits);
    try {
      calls.once("create collection", spec.name(), client -> {
        client.createCollection(req);
        return null;
      });
    } catch (BackendException e) {
      if (String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("already exist")) {
        throw new CollectionAlreadyExistsException(spec.name(), e);
      }
      throw e;
    }
    MilvusCollection c = new MilvusCollection(this, calls, spec, name,
        new QuiverLayout(new SpecCodec.Stored(spec, traits.nullableDeclaredFields())));
    c.awaitLoaded(LOAD_TIMEOUT);
    return c;
  }

  @Override
  protected AbstractVectorCollection doCollection(String name) {
    return opened(open(name, Optional.empty(), true));
  }

  @Override
  protected AbstractVectorCollection doCollection(String name, String vector) {
    return opened(open(name, Optional.of(vector), true));
  }

  private MilvusCollection opened(Opened o) {
    MilvusCollection c = new MilvusCollection(this, calls, o.spec(), o.milvusName(), o.layout());
    c.awaitLoaded(LOAD_TIMEOUT);
    return c;
  }

  @Override
  protected boolean doHasCollection(String name) {
    return exists(Names.toMilvus(name), name);
  }

  private boolean exists(String milvusName, String name) {
    return Boolean.TRUE.equals(calls.idempotent("has collection", name, client -> client.hasCollection(
        HasCollectionReq.builder().collectionName(milvusName).build())));
  }

  @Override
  protected List<String> doListCollections() {
    List<String> names = calls.idempotent("list collections", null,
        client -> client.listCollections().getCollectionNames());
    List<String> out = new ArrayList<>();
    for (String n : names) {
      Names.fromMilvus(n).ifPresent(out::add);
    }
    out.sort(null);
    return out;
  }

  @Override
  protected CollectionSpec doDescribeCollection(String name) {
    return open(name, Optional.empty(), false).spec();
  }

  /**
   * Reads a collection's description: the stored Quiver spec of a collection Quiver created, else the
   * mapping of a collection made by someone else ({@link Opened#foreign}).
   *
   * @param vector the vector field named by {@code collection(name, vector)}
   * @param forUse whether a handle is being opened (a foreign collection with several vector fields then
   *     needs one named); {@code describeCollection} describes its first
   */
  private Opened open(String name, Optional<String> vector, boolean forUse) {
    String milvusName = Names.toMilvus(name);
    DescribeCollectionResp resp = calls.idempotent("describe collection", name, client -> client.describeCollection(
        DescribeCollectionReq.builder().collectionName(milvusName).build()));
    // Milvus Lite drops the schema description but keeps collection properties; real Milvus keeps both.
    Map<String, String> props = resp.getProperties() == null ? Map.of() : resp.getProperties();
    Optional<SpecCodec.Stored> stored = SpecCodec.decodeStored(props.get(SpecCodec.PROPERTY));
    if (stored.isEmpty()) {
      stored = SpecCodec.decodeStored(resp.getDescription());
    }
    if (stored.isPresent() && stored.get().spec().name().equals(name)) {
      if (vector.isPresent() && !vector.get().equals(Schema.VECTOR)) {
        throw new InvalidArgumentException("collection '" + name + "' was created by Quiver and has one vector field, '"
            + Schema.VECTOR + "'; open it with collection(name)");
      }
      return new Opened(stored.get().spec(), milvusName, new QuiverLayout(stored.get()));
    }
    Opened o = Opened.foreign(name, milvusName, resp, indexes(name, milvusName), vector, traits);
    if (forUse && vector.isEmpty() && o.vectorFields().size() > 1) {
      throw new InvalidArgumentException("Milvus collection '" + milvusName + "' has several vector fields "
          + o.vectorFields() + "; open it with collection(name, vector) naming the one to search and write");
    }
    return o;
  }

  /** @return the index descriptions of a collection's fields, by field */
  private Map<String, DescribeIndexResp.IndexDesc> indexes(String name, String milvusName) {
    List<String> names = calls.idempotent("list indexes", name, client -> client.listIndexes(
        ListIndexesReq.builder().collectionName(milvusName).build()));
    Map<String, DescribeIndexResp.IndexDesc> out = new HashMap<>();
    for (String index : names == null ? List.<String>of() : names) {
      DescribeIndexResp d = calls.idempotent("describe index", name, client -> client.describeIndex(
          DescribeIndexReq.builder().collectionName(milvusName).indexName(index).build()));
      for (DescribeIndexResp.IndexDesc desc : d.getIndexDescriptions()) {
        out.put(desc.getFieldName(), desc);
      }
    }
    return out;
  }

  @Override
  protected boolean doDropCollection(String name) {
    String milvusName = Names.toMilvus(name);
    if (!exists(milvusName, name)) {
      return false;
    }
    calls.idempotent("drop collection", name, client -> {
      client.dropCollection(DropCollectionReq.builder().collectionName(milvusName).build());
      return null;
    });
    return true;
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  protected void doClose() {
    connection.close();
  }

  @Override
  protected String label() {
    return label;
  }

  @Override
  public String toString() {
    return "MilvusVectorStore[" + label + ", server " + serverVersion + (lite ? " (Milvus Lite)" : "") + "]";
  }

  /**
   * Builds a {@link MilvusVectorStore}. Defaults: {@code localhost:19530}, TLS off for loopback hosts
   * and on for every other host, no token, the server's default database, a 10 s deadline per call
   * (retries included), a 5 s connect timeout, 3 attempts for idempotent calls.
   */
  public static final class Builder {
    private String host = "localhost";
    private int port = 19530;
    private Boolean tlsSetting;
    private boolean tls;
    private Secret token;
    private String database;
    private Duration deadline = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private int maxAttempts = 3;

    private Builder() {}

    /**
     * Takes host, port, TLS, token, database, deadline and attempts from a store URI:
     * {@code milvus://host:port?token=...&database=...&deadlineMs=...&maxAttempts=...} or
     * {@code milvus+tls://...}; {@code ?tls=true|false} overrides the TLS default.
     *
     * @param uri the address
     * @return this builder
     * @throws InvalidArgumentException on another scheme, a missing host or an unknown option (the
     *     message never shows an option's value unless {@link StoreUri#isPublicOption} says it may)
     */
    public Builder uri(StoreUri uri) {
      if (uri == null) {
        throw new InvalidArgumentException("store URI must not be null");
      }
      if (!uri.scheme().equals("milvus") && !uri.scheme().equals("milvus+tls")) {
        throw new InvalidArgumentException("not a Milvus address: " + uri);
      }
      host(uri.host().orElseThrow(() -> new InvalidArgumentException("Milvus address needs a host: " + uri)));
      if (uri.port().isPresent()) {
        port(uri.port().getAsInt());
      }
      for (String option : uri.optionNames()) {
        switch (option) {
          case "token" -> uri.secret("token").ifPresent(this::token);
          case "database", "db" -> uri.option(option).filter(s -> !s.isEmpty()).ifPresent(this::database);
          case "tls" -> tls(Boolean.parseBoolean(uri.option("tls").orElse("true")));
          case "deadlineMs" -> deadline(Duration.ofMillis(number(uri, option)));
          case "maxAttempts" -> maxAttempts((int) Math.min(Integer.MAX_VALUE, number(uri, option)));
          default -> throw new InvalidArgumentException("unknown option '" + option + "' in Milvus address " + uri
              + "; known: token, database, tls, deadlineMs, maxAttempts");
        }
      }
      if (uri.scheme().equals("milvus+tls")) {
        if (Boolean.FALSE.equals(tlsSetting)) {
          throw new InvalidArgumentException("milvus+tls:// with tls=false is contradictory: " + uri);
        }
        tls(true);
      }
      if (!uri.path().isEmpty() && !uri.path().equals("/")) {
        database(uri.path().substring(1));
      }
      return this;
    }

    private static long number(StoreUri uri, String option) {
      String v = uri.option(option).orElse("");
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new InvalidArgumentException("option '" + option + "' in Milvus address " + uri + " must be a whole number");
      }
    }

    /**
     * @param uri the address as text
     * @return this builder
     * @see #uri(StoreUri)
     */
    public Builder uri(String uri) {
      return uri(StoreUri.parse(uri));
    }

    /**
     * @param host the server's host name or address
     * @return this builder
     */
    public Builder host(String host) {
      if (host == null || host.isBlank()) {
        throw new InvalidArgumentException("Milvus host must not be blank");
      }
      this.host = host;
      return this;
    }

    /**
     * @param port the gRPC port (19530 by default)
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new InvalidArgumentException("port must be 1..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * @param tls whether to connect with TLS (default: off for loopback hosts, on otherwise)
     * @return this builder
     */
    public Builder tls(boolean tls) {
      this.tlsSetting = tls;
      return this;
    }

    /**
     * @param token an API key or {@code user:password}; never printed or logged
     * @return this builder
     */
    public Builder token(Secret token) {
      this.token = token;
      return this;
    }

    /**
     * @param database the Milvus database (default: the server's default)
     * @return this builder
     */
    public Builder database(String database) {
      if (database != null && !database.matches("[A-Za-z_][A-Za-z0-9_]{0,254}")) {
        throw new InvalidArgumentException("invalid Milvus database name '" + database + "'");
      }
      this.database = database;
      return this;
    }

    /**
     * @param deadline how long one call may take, its retries and reconnects included, before it fails
     *     with a transient {@link dev.quiver.DeadlineExceededException} (default 10 s); also the
     *     {@code deadlineMs} URI option
     * @return this builder
     */
    public Builder deadline(Duration deadline) {
      if (deadline == null || deadline.isNegative() || deadline.isZero()) {
        throw new InvalidArgumentException("deadline must be positive");
      }
      this.deadline = deadline;
      return this;
    }

    /**
     * @param connectTimeout how long connecting may take (default 5 s; never longer than the call's
     *     deadline); a refused port fails at once whatever this is. The first connect of a JVM also
     *     loads and initialises gRPC and the SDK (about 2 s on a small machine), so keep it above that
     * @return this builder
     */
    public Builder connectTimeout(Duration connectTimeout) {
      if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new InvalidArgumentException("connect timeout must be positive");
      }
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * @param maxAttempts attempts of an idempotent call on transient failures, 1..10 (default 3; 1 = no
     *     retry); also the {@code maxAttempts} URI option
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 10) {
        throw new InvalidArgumentException("maxAttempts must be 1..10, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Connects.
     *
     * @return the open store
     * @throws UnavailableException if the server cannot be reached (at once for a refused port)
     * @throws dev.quiver.DeadlineExceededException if it does not answer within the deadline
     * @throws AuthenticationException if the token is refused
     */
    public MilvusVectorStore build() {
      tls = resolvedTls();
      return new MilvusVectorStore(this);
    }

    /** @return whether {@link #build()} would use TLS (for tests) */
    boolean resolvedTls() {
      return tlsSetting != null ? tlsSetting : !isLoopback(host);
    }

    private static boolean isLoopback(String host) {
      String h = host.toLowerCase(Locale.ROOT);
      return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    @Override
    public String toString() {
      return "MilvusVectorStore.Builder[" + host + ":" + port + ", token=" + (token == null ? "none" : "***") + "]";
    }
  }
}
