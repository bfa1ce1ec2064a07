package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.local.internal.index.HnswGraph;
import dev.quiver.spi.AbstractVectorCollection;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * One collection of the embedded engine, searched exactly (FLAT), through an HNSW graph or through an
 * IVF index (IVF-FLAT, IVF-PQ), as its {@link CollectionSpec#index()} says. A facade: each operation is one delegation to the class that
 * does that job.
 *
 * <ul>
 *   <li>{@link CollectionState}: the records (slots by ordinal, live records by id), the metadata
 *       index, the graph or the IVF index ({@link IvfCollectionIndex}), and the commit primitives
 *       shared by writes and recovery;
 *   <li>{@link WritePath}: logged writes (log under the collection's write lock, commit, wait for the
 *       fsync outside every lock);
 *   <li>{@link ReadPath}: get, count, list and search (planning between the graph or
 *       {@link IvfSearch} and {@link ExactScan}, the exact float scan with a proven fallback to double);
 *   <li>{@link CollectionSnapshots}: what a snapshot captures, and restoring from one.
 * </ul>
 *
 * <p>Durability: in a durable store every write is logged through {@link LocalVectorStore#log} right
 * before it is committed, so the log holds this collection's operations in the order they were
 * applied. Recovery replays the log through the {@code apply*} methods (the same code without
 * logging) and restores snapshots through {@link #restoreFrom}; snapshots are taken from
 * {@link #capture}.
 */
final class LocalCollection extends AbstractVectorCollection {

  private final CollectionState state;
  private final WritePath writes;
  private final ReadPath reads;
  private final CollectionSnapshots snapshots;

  LocalCollection(LocalVectorStore store, CollectionSpec spec) {
    super(store, spec);
    this.state = new CollectionState(spec);
    this.writes = new WritePath(store, this, state);
    this.reads = new ReadPath(store, this, state);
    this.snapshots = new CollectionSnapshots(state);
    if (store.plannerForNewCollections != null) {
      reads.planner(store.plannerForNewCollections);
    }
  }

  // ------------------------------------------------------------------ the boundary's hooks

  @Override
  protected void doUpsert(List<Record> batch) {
    writes.upsert(batch);
  }

  @Override
  protected List<Record> doGet(List<String> ids) {
    return reads.get(ids);
  }

  @Override
  protected void doDelete(List<String> ids) {
    writes.delete(ids);
  }

  @Override
  protected void doDelete(Filter filter) {
    writes.delete(filter);
  }

  @Override
  protected boolean doUpdateMetadata(String id, Metadata metadata) {
    return writes.updateMetadata(id, metadata);
  }

  @Override
  protected long doCount(Optional<Filter> filter) {
    return filter.isPresent() ? reads.count(filter.get()) : reads.count();
  }

  @Override
  protected Page doList(ListRequest request) {
    return reads.list(request);
  }

  @Override
  protected List<Match> doSearch(SearchRequest request) {
    return reads.search(request);
  }

  @Override
  protected void doReindex(CollectionSpec target) {
    writes.reindex(target, () -> switchedTo(target));
  }

  // ------------------------------------------------------------------ recovery and snapshots

  /** Upsert without logging (recovery). */
  void applyUpsert(List<Record> records) {
    state.applyUpsert(records);
  }

  /** Delete without logging (recovery). */
  void applyDelete(Collection<String> ids) {
    state.applyDelete(ids);
  }

  /** Update without logging (recovery). @return whether the record exists */
  boolean applyUpdateMetadata(String id, Metadata metadata) {
    return state.applyUpdateMetadata(id, metadata);
  }

  /** See {@link CollectionSnapshots#restore}. */
  CollectionSnapshots.Restored restoreFrom(Collection<Record> records, DataInput index) {
    return snapshots.restore(records, index);
  }

  /** See {@link CollectionSnapshots#writeIndexTo}. */
  void writeIndexTo(DataOutput out) throws IOException {
    snapshots.writeIndexTo(out);
  }

  /** See {@link CollectionSnapshots#capture}. */
  CollectionSnapshots.Captured capture() {
    return snapshots.capture();
  }

  // ------------------------------------------------------------------ test hooks

  /** Test hook: replaces the planner (for example to force graph traversal at any selectivity). */
  void planner(SearchPlanner planner) {
    reads.planner(planner);
  }

  /** @return the graph, or null for FLAT and IVF */
  HnswGraph graph() {
    return state.graph();
  }

  /** @return the IVF index and its life cycle, or null unless IVF */
  IvfCollectionIndex ivf() {
    return state.ivf();
  }

  /** @return whether a snapshot section of this collection carries an index blob */
  boolean hasIndexState() {
    return snapshots.hasIndexState();
  }

  /** @return the name of this collection's snapshot index blob */
  String indexBlobName() {
    return snapshots.blobName();
  }

  /** @return the state (tests) */
  CollectionState stateForTests() {
    return state;
  }

  /** Test hook: repairs the graph now. */
  void repairNow() {
    state.repairNow();
  }

  @Override
  public String toString() {
    return "LocalCollection[" + spec() + "]";
  }
}
