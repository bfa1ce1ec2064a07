package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.local.internal.index.HnswGraph;
import dev.quiver.local.internal.index.OrdinalTable;
import dev.quiver.local.internal.kernel.Kernels;
import java.util.List;

/**
 * One index of a collection, as its spec says: FLAT (nothing to maintain), an HNSW graph or an IVF index.
 * A collection serves searches from one; during a {@linkplain Partitions#reindex reindex} a second one is
 * built beside it and every write goes to both (see {@link CollectionState#indexes}).
 *
 * <p>A set being built is offered some records twice — by the backfill that adds the records that
 * existed when it was published, and by writers whose records arrive meanwhile — so its graph inserts go
 * through {@link #inserted} (the IVF index is idempotent by itself).
 */
final class IndexSet {

  /** The collection's spec with this index. */
  final CollectionSpec spec;
  /** Null unless HNSW. */
  final HnswGraph graph;
  /** Null unless IVF-FLAT or IVF-PQ. */
  final IvfCollectionIndex ivf;
  /** Ordinals already inserted into {@link #graph}, for a set being built; null for one serving from the start. */
  private final OrdinalTable<Boolean> inserted;

  private IndexSet(CollectionSpec spec, HnswGraph graph, IvfCollectionIndex ivf, boolean offeredTwice) {
    this.spec = spec;
    this.graph = graph;
    this.ivf = ivf;
    this.inserted = offeredTwice && graph != null ? new OrdinalTable<>() : null;
  }

  /**
   * @param state the collection
   * @param spec the collection's spec with the index wanted
   * @param offeredTwice true for a set built beside a serving one (records may be offered twice)
   * @return an empty index of that kind
   */
  static IndexSet create(CollectionState state, CollectionSpec spec, boolean offeredTwice) {
    HnswGraph graph = null;
    IvfCollectionIndex ivf = null;
    if (spec.index() instanceof IndexSpec.Hnsw h) {
      // fixed seed: builds are reproducible, which keeps recall tests and benchmarks stable
      graph = new HnswGraph(state.metric, spec.dimension(), h.m(), h.efConstruction(), 42L, Kernels.active());
    } else if (spec.index() instanceof IndexSpec.IvfPq p) {
      ivf = new IvfCollectionIndex(state, p);
    }
    return new IndexSet(spec, graph, ivf, offeredTwice);
  }

  /** @return a copy of this set with a restored graph in place of its own (recovery, before sharing) */
  IndexSet withGraph(HnswGraph restored) {
    return new IndexSet(spec, restored, ivf, inserted != null);
  }

  /** Adds prepared slots (not yet live: searches may reach them but never return them). */
  void add(List<Slot> fresh) {
    if (graph != null) {
      for (Slot s : fresh) {
        insert(s);
      }
    }
    if (ivf != null) {
      ivf.added(fresh);
    }
  }

  /** Inserts one slot into the graph, once. */
  void insert(Slot s) {
    if (inserted == null || inserted.setIfAbsent(s.ord, Boolean.TRUE)) {
      graph.insert(s.ord, s.vector);
    }
  }

  /** A slot was retired (caller holds the commit lock) or discarded. */
  void removed(Slot old) {
    if (graph != null && graph.contains(old.ord)) {
      graph.markDeleted(old.ord);
    }
    if (ivf != null) {
      ivf.removed(old);
    }
  }
}
