package dev.quiver.local;

import dev.quiver.IndexSpec;
import dev.quiver.local.internal.ivf.IvfIndex;
import dev.quiver.local.internal.ivf.IvfParams;
import dev.quiver.local.internal.ivf.IvfQuantizer;
import dev.quiver.local.internal.ivf.IvfStats;
import dev.quiver.local.internal.kernel.Kernels;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;

/**
 * The IVF index of one IVF-FLAT or IVF-PQ collection, and its life cycle: untrained (searched exactly)
 * until the collection first holds {@link IvfParams#trainingSize()} live records, then trained once
 * and kept up to date by every write.
 *
 * <p><b>Training</b> runs in the thread of the write that reached the training size, after that write
 * is durable and visible and outside every lock ({@link #maybeTrain}), so readers and other writers
 * continue: it samples the live records (in ordinal order, at most
 * {@link IvfParams#maxTrainingSample()}, chosen with a fixed seed), trains the quantiser, publishes the
 * empty index — from then on every prepared write adds its records to it — and adds every record that
 * existed before (adding is idempotent per ordinal, so a record offered by both is added once). Only
 * then does the index serve searches.
 *
 * <p><b>Persistence.</b> A snapshot saves the trained index with exactly the snapshot's live records
 * ({@link #writeTo}); reopening restores it as it was ({@link #restore}). Saved lists that do not match
 * the records are rebuilt by re-encoding the records with the saved quantiser, without re-training.
 */
final class IvfCollectionIndex {

  /** Seed of training: fixed, so a collection trained on the same records gets the same index. */
  static final long SEED = 42L;

  final IvfParams params;
  private final CollectionState state;
  /** Published when training has produced the quantiser; accepts adds from then on. */
  private volatile IvfIndex index;
  /** True once every record that existed at publication was added: the index then serves searches. */
  private volatile boolean ready;
  private final ReentrantLock training = new ReentrantLock();

  IvfCollectionIndex(CollectionState state, IndexSpec.IvfPq spec) {
    this.state = state;
    this.params = new IvfParams(state.metric, state.spec.dimension(), spec.nlist(), spec.subspaces(), spec.bits());
  }

  /** @return the index when it serves searches, else null (untrained, or training in progress) */
  IvfIndex searchable() {
    return ready ? index : null;
  }

  /** @return figures about the index, or null before it is trained */
  IvfStats stats() {
    IvfIndex i = searchable();
    return i == null ? null : i.stats();
  }

  // ------------------------------------------------------------------ hooks of CollectionState

  /** Adds freshly prepared slots (not yet live) once an index exists. */
  void added(List<Slot> fresh) {
    IvfIndex i = index;
    if (i != null) {
      for (Slot s : fresh) {
        i.add(s.ord, s.vector);
      }
    }
  }

  /** Charges a retired slot to its list. */
  void removed(Slot old) {
    IvfIndex i = index;
    if (i != null) {
      i.removed(old.ord);
    }
  }

  /** Compacts the lists once removals add up; runs outside the commit lock. */
  void afterRemovals() {
    IvfIndex i = index;
    if (i != null && ready) {
      i.compactIfNeeded(this::keep);
    }
  }

  /** Entries to keep: every ordinal that still has a slot (live, or prepared and not yet committed). */
  private boolean keep(int ord) {
    return state.slots.get(ord) != null;
  }

  /** Trains the index if the collection has reached its training size and none exists; see the class comment. */
  void maybeTrain() {
    if (index != null || state.byId.size() < params.trainingSize() || !training.tryLock()) {
      return;
    }
    try {
      if (index != null) {
        return;
      }
      float[][] sample = sample();
      if (sample.length < params.trainingSize()) {
        return; // records were deleted meanwhile
      }
      publishAndFill(new IvfIndex(IvfQuantizer.train(params, sample, SEED, Kernels.active()), Kernels.active(),
          Kernels.codes()));
    } finally {
      training.unlock();
    }
  }

  /** Publishes an empty index (writes add to it from now on), adds every existing record, then serves searches. */
  private void publishAndFill(IvfIndex fresh) {
    index = fresh;
    int n = state.nextOrd.get();
    IntStream.range(0, n).parallel().forEach(ord -> {
      Slot s = state.slots.get(ord);
      if (s != null) {
        fresh.add(ord, s.vector);
      }
    });
    ready = true;
  }

  /** @return the training sample: live records in ordinal order, a seeded random subset when there are too many */
  private float[][] sample() {
    List<float[]> live = new ArrayList<>(state.byId.size());
    int n = state.nextOrd.get();
    for (int ord = 0; ord < n; ord++) {
      Slot s = state.slots.get(ord);
      if (s != null && s.live) {
        live.add(s.vector);
      }
    }
    int max = params.maxTrainingSample();
    if (live.size() <= max) {
      return live.toArray(new float[0][]);
    }
    int[] idx = IntStream.range(0, live.size()).toArray();
    Random rnd = new Random(SEED);
    for (int i = 0; i < max; i++) { // partial Fisher–Yates
      int j = i + rnd.nextInt(idx.length - i);
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    int[] chosen = Arrays.copyOf(idx, max);
    Arrays.sort(chosen);
    float[][] out = new float[max][];
    for (int i = 0; i < max; i++) {
      out[i] = live.get(chosen[i]);
    }
    return out;
  }

  // ------------------------------------------------------------------ snapshots

  /**
   * Writes whether the index is trained and, if so, the index with the entries of the ordinals
   * {@code include} admits (the snapshot's live records). Writers are stopped.
   */
  void writeTo(DataOutput out, java.util.function.IntPredicate include) throws IOException {
    IvfIndex i = searchable();
    out.writeBoolean(i != null);
    if (i != null) {
      i.writeTo(out, include);
    }
  }

  /**
   * Restores what {@link #writeTo} wrote, once the collection's live slots are in place (not yet
   * shared). Saved lists that do not hold exactly the live records are rebuilt with the saved
   * quantiser, and the returned text says why.
   *
   * @return null when the saved index was used as it was, else what was wrong with its lists
   * @throws IOException when the saved index cannot be read (the caller then rebuilds from the records)
   */
  String restore(DataInput in) throws IOException {
    String problem = null;
    if (in.readBoolean()) {
      IvfIndex loaded = IvfIndex.readFrom(in, params, state.byId.size(), ord -> {
        Slot s = state.slots.get(ord);
        return s == null ? null : s.vector;
      }, Kernels.active(), Kernels.codes());
      problem = mismatch(loaded);
      if (problem == null) {
        index = loaded;
        ready = true;
      } else {
        publishAndFill(new IvfIndex(loaded.quantizer(), Kernels.active(), Kernels.codes()));
        problem += "; re-encoded the records with the saved quantiser";
      }
    }
    maybeTrain(); // a snapshot taken while training ran says "untrained"
    return problem;
  }

  /** @return why the loaded lists do not hold exactly the live records, or null when they do */
  private String mismatch(IvfIndex loaded) {
    if (loaded.entries() != state.byId.size()) {
      return "the saved IVF lists hold " + loaded.entries() + " entries for " + state.byId.size() + " records";
    }
    for (Slot s : state.byId.values()) {
      if (!loaded.contains(s.ord)) {
        return "the saved IVF lists lack record '" + s.id + "' (ordinal " + s.ord + ")";
      }
    }
    return null;
  }
}
