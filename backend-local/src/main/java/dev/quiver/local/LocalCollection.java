package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.local.internal.index.HnswGraph;
import dev.quiver.local.internal.ivf.IvfParams;
import dev.quiver.spi.AbstractVectorCollection;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A handle on one collection of the embedded engine, searched exactly (FLAT), through an HNSW graph or
 * through an IVF index (IVF-FLAT, IVF-PQ), as its {@link CollectionSpec#index()} says: the collection's
 * own handle, or, for a multi-tenant collection, a tenant's handle ({@link #doTenant}). A facade: each
 * operation finds the {@link Partition} it concerns and delegates to the class that does that job.
 *
 * <ul>
 *   <li>{@link Partitions}: the collection's partitions — one, or one per tenant — and what spans them
 *       (reindex, snapshot capture);
 *   <li>{@link CollectionState}: a partition's records (slots by ordinal, live records by id), its
 *       metadata index, its graph or IVF index ({@link IvfCollectionIndex}), and the commit primitives
 *       shared by writes and recovery;
 *   <li>{@link WritePath}: logged writes (log under the partition's write lock, commit, wait for the
 *       fsync outside every lock);
 *   <li>{@link ReadPath}: get, count, list and search (planning between the graph or
 *       {@link IvfSearch} and {@link ExactScan}, the exact float scan with a proven fallback to double);
 *   <li>{@link CollectionSnapshots}: what a snapshot captures, and restoring from one.
 * </ul>
 *
 * <p><b>Tenants.</b> A tenant handle reaches only its tenant's partition, made on its first write. The
 * tenant is never a filter: it picks the partition, so no filter a caller passes can reach another
 * tenant's records, and a tenant never written to reads as empty.
 *
 * <p>Durability: in a durable store every write is logged through {@link LocalVectorStore#log} right
 * before it is committed, so the log holds each partition's operations in the order they were applied.
 * Recovery replays the log through the {@code apply*} methods (the same code without logging) and
 * restores snapshots partition by partition ({@link StoreRecovery}); snapshots are taken from
 * {@link #capture}.
 */
final class LocalCollection extends AbstractVectorCollection {

  private final LocalVectorStore store;
  private final Partitions partitions;
  /** Null on the collection's own handle. */
  private final String tenant;

  LocalCollection(LocalVectorStore store, CollectionSpec spec) {
    super(store, spec);
    this.store = store;
    this.partitions = new Partitions(store, this, spec);
    this.tenant = null;
    if (store.plannerForNewCollections != null) {
      partitions.planner(store.plannerForNewCollections);
    }
  }

  /** A tenant's handle on {@code collection}. */
  private LocalCollection(LocalCollection collection, String tenant) {
    super(collection, tenant);
    this.store = collection.store;
    this.partitions = collection.partitions;
    this.tenant = tenant;
  }

  // ------------------------------------------------------------------ the boundary's hooks

  @Override
  protected AbstractVectorCollection doTenant(String name) {
    return new LocalCollection(partitions.collection(), name);
  }

  @Override
  protected List<String> doTenants() {
    store.checkLive(partitions.collection());
    return partitions.tenantsWithRecords();
  }

  /** @return this handle's partition, or null (after checking the collection is live) if it has none yet */
  private Partition existing() {
    Partition p = partitions.find(tenant);
    if (p == null) {
      store.checkLive(partitions.collection());
    }
    return p;
  }

  @Override
  protected void doUpsert(List<Record> batch) {
    store.checkLive(partitions.collection()); // no partition is made in a dropped collection
    partitions.open(tenant).writes.upsert(batch);
  }

  @Override
  protected List<Record> doGet(List<String> ids) {
    Partition p = existing();
    return p == null ? List.of() : p.reads.get(ids);
  }

  @Override
  protected void doDelete(List<String> ids) {
    Partition p = existing();
    if (p != null) {
      p.writes.delete(ids);
    }
  }

  @Override
  protected void doDelete(Filter filter) {
    Partition p = existing();
    if (p != null) {
      p.writes.delete(filter);
    }
  }

  @Override
  protected boolean doUpdateMetadata(String id, Metadata metadata) {
    Partition p = existing();
    return p != null && p.writes.updateMetadata(id, metadata);
  }

  @Override
  protected long doCount(Optional<Filter> filter) {
    Partition p = existing();
    if (p == null) {
      return 0;
    }
    return filter.isPresent() ? p.reads.count(filter.get()) : p.reads.count();
  }

  @Override
  protected Page doList(ListRequest request) {
    Partition p = existing();
    return p == null ? new Page(List.of(), Optional.empty()) : p.reads.list(request);
  }

  @Override
  protected List<Match> doSearch(SearchRequest request) {
    Partition p = existing();
    return p == null ? List.of() : p.reads.search(request);
  }

  @Override
  protected void doReindex(CollectionSpec target) {
    partitions.reindex(target, () -> switchedTo(target));
  }

  /**
   * For {@link LocalVectorStore#indexInfo}: the index of a collection without tenants ({@code tenant} null)
   * or of a tenant (a tenant never written to has an IVF index that is not trained yet).
   */
  LocalIndexInfo indexInfo(String forTenant) {
    CollectionSpec spec = spec();
    if (spec.multiTenant() != (forTenant != null)) {
      throw new InvalidArgumentException("collection '" + name() + "' is " + (spec.multiTenant()
          ? "multi-tenant and each tenant has its own index: call indexInfo(collection, tenant)"
          : "not multi-tenant: call indexInfo(collection)"));
    }
    Partition p = partitions.find(forTenant);
    IvfCollectionIndex ivf = p == null ? null : p.state.ivf();
    if (ivf != null) {
      return LocalIndexInfo.of(spec.index(), ivf.params, ivf.stats());
    }
    IvfParams params = p == null && spec.index() instanceof IndexSpec.IvfPq i
        ? new IvfParams(spec.metric(), spec.dimension(), i.nlist(), i.subspaces(), i.bits()) : null;
    return LocalIndexInfo.of(spec.index(), params, null);
  }

  // ------------------------------------------------------------------ recovery and snapshots

  /** @return the partition of {@code tenant} (null: the collection has no tenants), made if needed (recovery) */
  Partition partitionForRecovery(String tenant) {
    return partitions.open(tenant);
  }

  /** @return the partition of {@code tenant}, or null if there is none (recovery) */
  Partition existingPartition(String tenant) {
    return partitions.find(tenant);
  }

  /** See {@link Partitions#capture}. */
  CollectionSnapshots.Section capture() {
    return partitions.capture();
  }

  /** See {@link CollectionSnapshots#restore} (a collection without tenants; tests). */
  CollectionSnapshots.Restored restoreFrom(Collection<Record> records, DataInput index) {
    return partitions.single().snapshots.restore(records, index);
  }

  /** See {@link CollectionSnapshots#writeIndexTo} (a collection without tenants; tests). */
  void writeIndexTo(DataOutput out) throws IOException {
    partitions.single().snapshots.writeIndexTo(out);
  }

  // ------------------------------------------------------------------ test hooks

  /** Test hook: replaces the planner of every partition (for example to force graph traversal at any selectivity). */
  void planner(SearchPlanner planner) {
    partitions.planner(planner);
  }

  /** @return the graph of a collection without tenants, or null for FLAT and IVF */
  HnswGraph graph() {
    return partitions.single().state.graph();
  }

  /** @return the IVF index of a collection without tenants and its life cycle, or null unless IVF */
  IvfCollectionIndex ivf() {
    return partitions.current().multiTenant() ? null : partitions.single().state.ivf();
  }

  /** @return the state of a collection without tenants (tests) */
  CollectionState stateForTests() {
    return partitions.single().state;
  }

  /** @return the partitions (tests) */
  Partitions partitionsForTests() {
    return partitions;
  }

  /** Test hook: repairs the graph now. */
  void repairNow() {
    partitions.single().state.repairNow();
  }

  @Override
  public String toString() {
    return "LocalCollection[" + spec() + (tenant == null ? "" : ", tenant " + tenant) + "]";
  }
}
