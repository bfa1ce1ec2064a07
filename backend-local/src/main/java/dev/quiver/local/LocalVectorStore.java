package dev.quiver.local;

import dev.quiver.Capabilities;
import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.InvalidArgumentException;
import dev.quiver.StorageException;
import dev.quiver.StoreClosedException;
import dev.quiver.spi.AbstractVectorStore;
import dev.quiver.local.internal.storage.Operation;
import dev.quiver.local.internal.storage.StorageOptions;
import dev.quiver.local.internal.storage.StoreStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The embedded engine: a pure-Java vector store that runs in the calling process, with no server.
 * Thread-safe.
 *
 * <p><b>Opening.</b> {@link #inMemory()} (or {@code Quiver.open("memory:")} / {@code "local:"})
 * keeps everything in memory: the store is gone when closed, and {@link Feature#DURABILITY} is
 * declared unsupported. {@link #open(Path)} (or {@code Quiver.open("local:<path>")}) opens a
 * <em>durable</em> store in a directory, creating it if needed; {@link #builder(Path)} sets options
 * (group commit, snapshot threshold, snapshot on close). A durable store is kept whole in memory too
 * — searches never touch the disk — and every write is logged before it is acknowledged.
 *
 * <p><b>Durability guarantees</b> (durable stores; details in {@code docs/persistence.md}):
 * <ul>
 *   <li>A write (create/drop collection, upsert, delete by ids or filter, updateMetadata) returns only
 *       after its write-ahead log entry has been fsynced. A process killed at any instant, reopened,
 *       has every acknowledged write.
 *   <li>Each call is atomic across a crash: after reopening it is entirely there or entirely absent
 *       (an upsert batch larger than the log's entry limit, 256 MiB, is split, and each part is atomic).
 *       A call that threw, or was in flight at a crash, may or may not be there.
 *   <li>Concurrent writers share fsyncs (group commit, on by default); each still returns only once
 *       its own entry is durable.
 *   <li>When the log grows past a threshold (64 MiB by default), a snapshot of the whole store is
 *       written in the background and the log it covers deleted; {@link #close()} also writes one, so
 *       reopening reads a snapshot instead of replaying the log. HNSW graphs are saved in the snapshot
 *       and reused on reopen, not rebuilt.
 *   <li>If the disk fails a write or an fsync (or is full), that call throws
 *       {@link StorageException}; the store then refuses further writes (memory may be ahead of the
 *       disk) and must be reopened. Reads keep working. Reopening finds every acknowledged write.
 *   <li>One open store per directory: a second opener, in this or another process, gets a
 *       {@link StorageException}.
 *   <li>Damage is loud. A torn log tail (an incomplete last entry, what a killed process leaves; never
 *       acknowledged) is dropped at open and logged at INFO. A damaged log entry (complete but failing
 *       its checksum, or followed by intact entries) makes opening fail with a {@link StorageException}
 *       naming the file and byte offset, unless {@link Builder#recoverByTruncating} (URI option
 *       {@code recover=truncate}) asks to truncate the log there. What the store worked around — such a
 *       truncation, a saved HNSW graph it had to rebuild, a failed background snapshot — is logged at
 *       WARNING and reported by {@link #health()}.
 * </ul>
 *
 * <p><b>Indexes.</b> FLAT (exact), HNSW and IVF-FLAT / IVF-PQ, with metadata indexes that keep filtered
 * search exact in what it admits at any selectivity. The hint {@link dev.quiver.SearchRequest#ef(int)}
 * is HNSW's candidate list and IVF-PQ's re-ranking depth (default 100); {@code nprobe} sets the IVF
 * lists probed (default one in sixteen, at least four). Indexes a hint does not tune accept and ignore
 * it. An IVF collection is searched exactly until it first holds {@link LocalIndexInfo#trainingSize()}
 * records; the upsert that gets there trains it before returning (its records already durable and
 * visible, other calls continuing). {@link #indexInfo(String)} reports training and drift.
 *
 * <p><b>Declared fields and tenants.</b> A declared field is indexed in the collection's metadata index
 * unless declared with {@code indexed = false}; filters on such a field check the records the indexed
 * part of the filter leaves. A multi-tenant collection keeps a partition per tenant — its own records,
 * metadata index and HNSW graph or IVF index (trained on that tenant's records;
 * {@link #indexInfo(String, String)}) — so a tenant's reads, writes and searches never touch another
 * tenant's. Collections Quiver did not create do not exist here: the engine opens only its own stores.
 *
 * <p>Distances are computed by plain-Java loops, or by the Panama Vector API when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}; {@link #distanceKernel()} says which.
 */
public final class LocalVectorStore extends AbstractVectorStore {

  static final String BACKEND = "local";

  private static Capabilities.Builder baseCapabilities() {
    return Capabilities.builder(BACKEND)
        .supportsNatively(Feature.INDEX_FLAT, Feature.METRIC_COSINE, Feature.METRIC_DOT_PRODUCT,
            Feature.METRIC_EUCLIDEAN, Feature.DELETE_BY_FILTER, Feature.COUNT_BY_FILTER, Feature.LIST,
            Feature.LIST_BY_FILTER, Feature.UPDATE_METADATA, Feature.FILTERED_SEARCH,
            Feature.SEARCH_INCLUDE_VECTORS, Feature.EXACT_LONGS, Feature.INDEX_HNSW, Feature.SEARCH_EF,
            Feature.ZERO_VECTORS, Feature.INDEX_IVF_FLAT, Feature.INDEX_IVF_PQ, Feature.SEARCH_NPROBE, Feature.REINDEX,
            // declared fields: indexed ones in the metadata index, unindexed ones checked on the candidates;
            // tenants: a partition (records, metadata index, graph or IVF index) per tenant
            Feature.DECLARED_FIELDS, Feature.TENANTS)
        .lacks(Feature.FOREIGN_COLLECTIONS, "the embedded engine opens only its own stores")
        .consistency(Capabilities.Consistency.STRONG)
        .maxTopK(100_000)
        .maxDimension(CollectionSpec.MAX_DIMENSION);
  }

  private static final Capabilities MEMORY_CAPABILITIES = baseCapabilities()
      .lacks(Feature.DURABILITY, "this store lives in memory (memory:, or local: without a path);"
          + " open local:<path> for a durable store")
      .build();

  private static final Capabilities DURABLE_CAPABILITIES = baseCapabilities()
      .supportsNatively(Feature.DURABILITY)
      .build();

  /** Default {@link Builder#snapshotThresholdBytes}: 64 MiB of log. */
  public static final long DEFAULT_SNAPSHOT_THRESHOLD_BYTES = 64L << 20;

  private final ConcurrentSkipListMap<String, LocalCollection> collections = new ConcurrentSkipListMap<>();
  private final String label;
  private final Capabilities capabilities;
  private volatile boolean closed;

  // ---- durable stores only (storage == null in memory)
  private StoreStorage storage;
  private final Builder options;
  /**
   * The write gate. Every write holds the read side from its validation-under-lock to its commit
   * (not while waiting for the fsync); create/drop, snapshot capture and close hold the write side,
   * so they see no write half-done.
   */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private volatile StorageException failure;
  private Snapshotter snapshots;
  private final HealthLog health = new HealthLog();
  private int graphsReused;
  private int graphsRebuilt;
  private int ivfReused;
  private int ivfRebuilt;
  private long openNanos;

  private LocalVectorStore(String label, Capabilities capabilities, Builder options) {
    this.label = label;
    this.capabilities = capabilities;
    this.options = options;
  }

  /** @return a new, empty in-memory store */
  public static LocalVectorStore inMemory() {
    return new LocalVectorStore("memory:", MEMORY_CAPABILITIES, null);
  }

  /**
   * Opens (creating if needed) the durable store in {@code directory} with default options.
   *
   * @param directory the store's directory
   * @return the open store, holding everything acknowledged before
   * @throws StorageException if the directory is open elsewhere, cannot be read or written, or is damaged
   */
  public static LocalVectorStore open(Path directory) {
    return builder(directory).open();
  }

  /**
   * @param directory the store's directory
   * @return a builder for a durable store in it
   */
  public static Builder builder(Path directory) {
    if (directory == null) {
      throw new InvalidArgumentException("store directory must not be null");
    }
    return new Builder(directory);
  }

  /** Options of a durable store. */
  public static final class Builder {
    private final Path directory;
    private boolean groupCommit = true;
    private long snapshotThresholdBytes = DEFAULT_SNAPSHOT_THRESHOLD_BYTES;
    private boolean snapshotOnClose = true;
    private boolean recoverByTruncating;
    private StorageOptions storageOptions = StorageOptions.defaults();

    private Builder(Path directory) {
      this.directory = directory;
    }

    /**
     * @param on true (the default): concurrent writers share fsyncs, each returning once its own entry
     *     is durable; false: every write does its own fsync (slower under concurrency, same guarantees)
     * @return this
     */
    public Builder groupCommit(boolean on) {
      this.groupCommit = on;
      return this;
    }

    /**
     * @param bytes write a snapshot in the background once about this many bytes were logged since the
     *     last one (default 64 MiB); 0 turns automatic snapshots off
     * @return this
     */
    public Builder snapshotThresholdBytes(long bytes) {
      if (bytes < 0) {
        throw new InvalidArgumentException("snapshot threshold must be ≥ 0, got " + bytes);
      }
      this.snapshotThresholdBytes = bytes;
      return this;
    }

    /**
     * @param on true (the default): {@link LocalVectorStore#close()} writes a snapshot when anything was
     *     logged since the last one, so reopening does not replay the log
     * @return this
     */
    public Builder snapshotOnClose(boolean on) {
      this.snapshotOnClose = on;
      return this;
    }

    /**
     * What opening does when the write-ahead log holds a damaged entry: one whose frame is complete but
     * fails its checksum, or that is followed by further intact entries. A process killed mid-write
     * never leaves that (it leaves a <em>torn tail</em>, an incomplete last entry, which is always
     * dropped: it was never acknowledged); a damaged entry may have been acknowledged, so by default
     * opening refuses with a {@link StorageException} naming the file and byte offset. The URI
     * option {@code recover=truncate} is the same as {@code recoverByTruncating(true)}.
     *
     * @param on false (the default): refuse to open a damaged log; true: truncate the log at the
     *     damaged entry, dropping it and everything logged after it, and open. The loss (file, offset,
     *     number of entries) is logged at WARNING and reported by {@link LocalVectorStore#health()}.
     * @return this
     */
    public Builder recoverByTruncating(boolean on) {
      this.recoverByTruncating = on;
      return this;
    }

    /** Internal (tests): file access, segment and entry sizes. Group commit is taken from {@link #groupCommit}. */
    Builder storageOptions(StorageOptions options) {
      this.storageOptions = options;
      return this;
    }

    /**
     * Opens the store: loads the latest snapshot, replays the log after it (dropping a torn tail;
     * refusing a damaged entry unless {@link #recoverByTruncating} is on).
     *
     * @return the open store
     * @throws StorageException if the directory is open elsewhere, cannot be read or written, or is damaged
     */
    public LocalVectorStore open() {
      return LocalVectorStore.openDurable(this);
    }
  }

  private static LocalVectorStore openDurable(Builder b) {
    LocalVectorStore store = new LocalVectorStore("local:" + b.directory, DURABLE_CAPABILITIES, b);
    long start = System.nanoTime();
    StoreRecovery recovery = new StoreRecovery(store, store.collections, store.capabilities, b.directory, store.health);
    StoreStorage storage = StoreStorage.open(b.directory, b.storageOptions.withGroupCommit(b.groupCommit)
        .withTruncateDamagedLog(b.recoverByTruncating), recovery);
    try {
      recovery.endSection();
      recovery.report(storage.recoveryReport());
    } catch (RuntimeException e) {
      try {
        storage.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    store.storage = storage;
    store.graphsReused = recovery.graphsReused;
    store.graphsRebuilt = recovery.graphsRebuilt;
    store.ivfReused = recovery.ivfReused;
    store.ivfRebuilt = recovery.ivfRebuilt;
    store.snapshots = new Snapshotter(store.new SnapshotSource(), storage, b.directory, b.snapshotThresholdBytes,
        store.health, storage.recoveryReport().snapshotSequence(), recovery.replayedBytes);
    store.openNanos = System.nanoTime() - start;
    store.maybeSnapshot();
    return store;
  }

  /** What the {@link Snapshotter} needs from this store. */
  private final class SnapshotSource implements Snapshotter.Source {
    @Override
    public ReentrantReadWriteLock gate() {
      return gate;
    }

    @Override
    public boolean failed() {
      return failure != null;
    }

    @Override
    public boolean closed() {
      return closed;
    }

    @Override
    public java.util.Collection<LocalCollection> collections() {
      return collections.values();
    }
  }

  /**
   * Names the distance kernel this JVM uses, for benchmark reports: {@code "scalar"} for the
   * plain-Java loops, or {@code "panama-<bits>"} for the Vector API with its preferred vector width.
   *
   * @return the active kernel's name
   */
  public static String distanceKernel() {
    return dev.quiver.local.internal.kernel.Kernels.active().name();
  }

  /** @return the directory of a durable store; empty for an in-memory one */
  public Optional<Path> directory() {
    return storage == null ? Optional.empty() : Optional.of(storage.directory());
  }

  /** @return true for a store opened on a directory */
  public boolean isDurable() {
    return options != null;
  }

  // ------------------------------------------------------------------ the write path

  /** The part of a write that runs under the gate: checks, logs (returning the last sequence, 0 if none) and applies. */
  @FunctionalInterface
  interface GatedWrite {
    long run();
  }

  /**
   * Runs a write: under the read side of the gate (so no snapshot or drop sees it half-done), then
   * waits for its log entry to be durable before returning.
   */
  void write(GatedWrite body) {
    checkWritable();
    long seq;
    gate.readLock().lock();
    try {
      checkOpen();
      checkWritable();
      seq = body.run();
    } finally {
      gate.readLock().unlock();
    }
    awaitDurable(seq);
    maybeSnapshot();
  }

  /**
   * Writes log entries (not yet durable). Called with the collection's write lock held, right before
   * the change is applied, so log order is apply order.
   *
   * @param ops makes the entries (not called for an in-memory store)
   * @return the last entry's sequence; 0 for an in-memory store
   */
  long log(java.util.function.Supplier<List<Operation>> ops) {
    if (storage == null) {
      return 0;
    }
    long seq = 0;
    for (Operation op : ops.get()) {
      try {
        seq = storage.write(op);
      } catch (StorageException e) {
        throw failed(e);
      }
      snapshots.logged(WalEntries.estimate(op, dimensionOf(op)));
    }
    return seq;
  }

  private int dimensionOf(Operation op) {
    LocalCollection c = collections.get(op.collection());
    return c == null ? 0 : c.spec().dimension();
  }

  /** @return the largest log entry the storage accepts */
  int maxEntryBytes() {
    return options == null ? Integer.MAX_VALUE : options.storageOptions.maxEntryBytes();
  }

  private void awaitDurable(long seq) {
    if (seq <= 0 || storage == null) {
      return;
    }
    try {
      storage.awaitDurable(seq);
    } catch (StorageException e) {
      throw failed(e);
    }
  }

  /** Marks the store failed for writes (memory may now be ahead of the disk). */
  private StorageException failed(StorageException e) {
    StorageException f = new StorageException("writing to store " + options.directory + " failed, so it accepts no"
        + " more writes (reads still work); close and reopen it — every acknowledged write is on disk. Cause: "
        + e.getMessage(), e);
    synchronized (this) {
      if (failure == null) {
        failure = f;
      }
    }
    return f;
  }

  private void checkWritable() {
    StorageException f = failure;
    if (f != null) {
      throw new StorageException("store " + options.directory + " failed earlier and accepts no more writes;"
          + " close and reopen it (every acknowledged write is on disk). First failure: " + f.getCause().getMessage(), f);
    }
  }

  // ------------------------------------------------------------------ snapshots

  /** Makes a reindex durable: a snapshot with the new spec and index (a failure leaves the old on disk). */
  void saveReindexed(String collection) {
    try {
      snapshot(true);
    } catch (StorageException e) {
      throw new StorageException("collection '" + collection + "' now uses its new index, but the snapshot that"
          + " makes it durable failed (the next one retries; a crash before it reopens the old): " + e.getMessage(), e);
    }
  }

  private void maybeSnapshot() {
    if (snapshots != null) {
      snapshots.maybeSnapshot();
    }
  }

  /**
   * Writes a snapshot now (durable stores); see {@link Snapshotter#snapshot}.
   *
   * @return whether a snapshot was written
   * @throws StorageException if writing it failed (the previous snapshot and the log stay valid)
   */
  boolean snapshot() {
    return snapshot(false);
  }

  /** @param force even when nothing was logged since the last one @return whether one was written */
  boolean snapshot(boolean force) {
    return snapshots != null && snapshots.snapshot(force);
  }

  // ------------------------------------------------------------------ introspection for tests and benchmarks

  /** @return HNSW graphs restored from the snapshot at open without rebuilding */
  int graphsReused() {
    return graphsReused;
  }

  /** @return HNSW graphs rebuilt from records at open */
  int graphsRebuilt() {
    return graphsRebuilt;
  }

  /** @return IVF indexes restored at open as saved; {@link #ivfRebuilt()}: re-encoded or re-trained */
  int ivfReused() {
    return ivfReused;
  }

  int ivfRebuilt() {
    return ivfRebuilt;
  }

  /** @return snapshots written since open */
  int snapshotsWritten() {
    return snapshots == null ? 0 : snapshots.written();
  }

  /** @return how long open took, in nanoseconds (durable stores) */
  long openNanos() {
    return openNanos;
  }

  /** Test hook: the planner of collections created or recovered from now on (null: the standard one). */
  volatile SearchPlanner plannerForNewCollections;

  /** @return the storage, or null in memory */
  StoreStorage storage() {
    return storage;
  }


  // ------------------------------------------------------------------ the store API

  /**
   * Says whether the store has run into trouble it worked around since it was opened: a damaged
   * write-ahead log truncated at open ({@link Builder#recoverByTruncating}), a saved HNSW graph that could
   * not be used and was rebuilt, a failed background snapshot. Each such event is also logged at
   * WARNING ({@link System.Logger} {@code dev.quiver.local}). Failures that stop the store — a write or
   * fsync that failed, a damaged log without recovery by truncation — are not reported here: they throw
   * {@link StorageException}. Works on a closed store too.
   *
   * @return an immutable snapshot: {@link LocalHealth.Status#OK} with no events, or
   *     {@link LocalHealth.Status#DEGRADED} with what happened; always OK for an in-memory store
   */
  public LocalHealth health() {
    return health.health();
  }

  /**
   * @param collection a collection name
   * @return its index: for IVF, whether it is trained, how training went and the drift since
   * @throws dev.quiver.CollectionNotFoundException if there is no such collection
   * @throws InvalidArgumentException if it is multi-tenant (each tenant has its own index:
   *     {@link #indexInfo(String, String)})
   */
  public LocalIndexInfo indexInfo(String collection) {
    return find(collection).indexInfo(null);
  }

  /**
   * @param collection a multi-tenant collection's name
   * @param tenant a tenant
   * @return the tenant's index (a tenant never written to has an IVF index that is not trained yet)
   * @throws dev.quiver.CollectionNotFoundException if there is no such collection
   * @throws InvalidArgumentException if the collection is not multi-tenant, or the tenant name is invalid
   */
  public LocalIndexInfo indexInfo(String collection, String tenant) {
    return find(collection).indexInfo(dev.quiver.spi.AbstractVectorCollection.checkTenant(tenant));
  }

  @Override
  protected LocalCollection doCreateCollection(CollectionSpec spec) {
    checkOpen();
    LocalCollection created = new LocalCollection(this, spec);
    checkWritable();
    long seq;
    gate.writeLock().lock();
    try {
      checkOpen();
      checkWritable();
      if (collections.containsKey(spec.name())) {
        throw new CollectionAlreadyExistsException(spec.name());
      }
      seq = log(() -> List.of(new Operation.CreateCollection(spec)));
      collections.put(spec.name(), created);
    } finally {
      gate.writeLock().unlock();
    }
    awaitDurable(seq);
    return created;
  }

  @Override
  protected LocalCollection doCollection(String name) {
    return find(name);
  }

  LocalCollection find(String name) {
    checkOpen();
    CollectionSpec.checkName(name);
    LocalCollection c = collections.get(name);
    if (c == null) {
      throw new CollectionNotFoundException(name);
    }
    return c;
  }

  /** Called by a collection handle on every operation: a dropped or replaced collection is gone. */
  void checkLive(LocalCollection c) {
    checkOpen();
    if (collections.get(c.name()) != c) {
      throw new CollectionNotFoundException(c.name());
    }
  }

  @Override
  protected boolean doHasCollection(String name) {
    checkOpen();
    CollectionSpec.checkName(name);
    return collections.containsKey(name);
  }

  @Override
  protected List<String> doListCollections() {
    checkOpen();
    return new ArrayList<>(collections.keySet());
  }

  @Override
  protected CollectionSpec doDescribeCollection(String name) {
    return find(name).spec(); // with its declared fields, undeclaredKeysAllowed and multiTenant, as created
  }

  @Override
  protected boolean doDropCollection(String name) {
    checkOpen();
    CollectionSpec.checkName(name);
    checkWritable();
    long seq;
    gate.writeLock().lock();
    try {
      checkOpen();
      checkWritable();
      if (!collections.containsKey(name)) {
        return false;
      }
      seq = log(() -> List.of(new Operation.DropCollection(name)));
      collections.remove(name);
    } finally {
      gate.writeLock().unlock();
    }
    awaitDurable(seq);
    maybeSnapshot();
    return true;
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  /**
   * Closes the store. For a durable store: waits for writes in progress, writes a snapshot if
   * anything was logged since the last one (unless turned off), syncs and closes the log and releases
   * the directory. Idempotent.
   *
   * @throws StorageException if the final snapshot or sync failed (acknowledged writes are safe regardless)
   */
  @Override
  protected void doClose() {
    gate.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      gate.writeLock().unlock();
    }
    if (storage == null) {
      collections.clear();
      return;
    }
    RuntimeException error = null;
    snapshots.stop();
    if (options.snapshotOnClose && failure == null) {
      try {
        snapshot();
      } catch (RuntimeException e) {
        error = e;
      }
    }
    collections.clear();
    try {
      storage.close();
    } catch (RuntimeException e) {
      if (error == null) {
        error = e;
      } else {
        error.addSuppressed(e);
      }
    }
    if (error != null) {
      throw error;
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException(label);
    }
  }

  @Override
  protected String label() {
    return label;
  }

  @Override
  public String toString() {
    return "LocalVectorStore[" + label + ", " + collections.size() + " collections]";
  }
}
