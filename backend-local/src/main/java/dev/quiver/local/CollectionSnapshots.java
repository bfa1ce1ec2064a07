package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.local.internal.index.HnswGraph;
import dev.quiver.local.internal.kernel.Kernels;
import dev.quiver.local.internal.storage.SnapshotWriter;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The glue between one partition (a collection without tenants, or one tenant) and the store's
 * snapshots: {@link #capture} takes the state a snapshot writes (records and, for HNSW, the graph with
 * every record's ordinal; for IVF, the trained index), and {@link #restore} fills a fresh partition from
 * its part of a snapshot section, reusing the saved index when it is usable and rebuilding it from the
 * records otherwise. WAL operations after the snapshot are then replayed through
 * {@link CollectionState}'s {@code apply*} methods. {@link Section} is a whole collection's section.
 */
final class CollectionSnapshots {

  private final CollectionState state;
  /** The partition's tenant, or null. */
  private final String tenant;

  CollectionSnapshots(CollectionState state, String tenant) {
    this.state = state;
    this.tenant = tenant;
  }

  /** Version of the {@link #writeIndexTo} format of HNSW (and, in older stores, FLAT) collections. */
  static final int INDEX_FORMAT_VERSION = 1;
  /**
   * Version of the {@link #writeIndexTo} format of IVF collections (blob {@value #IVF_BLOB}): the same
   * ordinal table, then the IVF index in its own versioned format ({@code IvfIndexFormat}).
   */
  static final int IVF_FORMAT_VERSION = 1;

  /**
   * Writes what a snapshot needs beyond the records to reopen without rebuilding the index: the
   * ordinal of every live record and the graph (live vectors omitted: the records hold them) or the
   * IVF index (untrained, or trained with its quantiser and the entries of the live records).
   * Writers must be stopped while this runs (the storage layer snapshots under its own lock);
   * searches may continue. Versioned; checksumming is the storage layer's job.
   *
   * @param out the sink (for example a snapshot blob)
   * @throws IOException from the sink
   */
  void writeIndexTo(DataOutput out) throws IOException {
    state.commitLock.readLock().lock();
    try {
      IndexSet index = state.serving();
      out.writeInt(index.ivf != null ? IVF_FORMAT_VERSION : INDEX_FORMAT_VERSION);
      out.writeInt(state.nextOrd.get());
      out.writeInt(state.byId.size());
      for (Slot s : state.byId.values()) {
        out.writeUTF(s.id);
        out.writeInt(s.ord);
      }
      if (index.ivf != null) {
        index.ivf.writeTo(out, state::isLive);
        return;
      }
      out.writeBoolean(index.graph != null);
      if (index.graph != null) {
        index.graph.writeTo(out, false);
      }
    } finally {
      state.commitLock.readLock().unlock();
    }
  }

  /**
   * What {@link #restore} did.
   *
   * @param reused true when the saved graph was used, false when the graph was rebuilt from the records
   * @param problem why saved index state that was there could not be used, or null (reused, or there was
   *     none to use)
   */
  record Restored(boolean reused, String problem) {}

  /**
   * Fills a new, not yet shared collection from recovered records and, when given, the state
   * {@link #writeIndexTo} wrote with them. Without that state, or when it is unreadable or does not
   * match the records (a different set of ids, another index kind), the graph is rebuilt from the
   * records: slower, never wrong; the result then says why. WAL operations after the snapshot are
   * then applied with the ordinary methods.
   *
   * @param records the records of the snapshot section
   * @param index the index state, or null
   * @return whether the saved graph was used, and if not, what was wrong with it
   */
  Restored restore(Collection<Record> records, DataInput index) {
    String problem = null;
    if (index != null) {
      try {
        String listsProblem = restoreSaved(records, index);
        return new Restored(listsProblem == null, listsProblem);
      } catch (IOException | RuntimeException e) {
        // fall through to a rebuild: the saved index is an optimisation, the records are the truth
        problem = e.getMessage() != null ? e.getMessage() : e.toString();
      }
      // undo a partial restore
      state.byId.clear();
      for (int ord = 0; ord < state.nextOrd.get(); ord++) {
        Slot s = state.slots.get(ord);
        if (s != null) {
          state.metadataIndex.remove(ord, s.metadata);
          state.slots.set(ord, null);
        }
      }
      state.nextOrd.set(0);
      state.indexes = new CollectionState.Indexes(IndexSet.create(state, state.serving().spec, false), null);
    }
    state.applyAll(records);
    return new Restored(false, problem);
  }

  /**
   * @return null when the saved state was used as it was; for IVF, what was wrong with saved lists that
   *     were rebuilt from the saved quantiser
   * @throws IOException saying why the saved state cannot be used
   */
  private String restoreSaved(Collection<Record> records, DataInput in) throws IOException {
    int version = in.readInt();
    IndexSet index = state.serving();
    int supported = index.ivf != null ? IVF_FORMAT_VERSION : INDEX_FORMAT_VERSION;
    if (version != supported) {
      throw new IOException("index state format version " + version + " is not supported (this build reads "
          + supported + ")");
    }
    int savedNext = in.readInt();
    int live = in.readInt();
    if (live != records.size() || savedNext < live) {
      throw new IOException("index state lists " + live + " records (next ordinal " + savedNext + "), the snapshot holds "
          + records.size());
    }
    Map<String, Integer> ords = new HashMap<>();
    for (int i = 0; i < live; i++) {
      String id = in.readUTF();
      int ord = in.readInt();
      if (ord < 0 || ord >= savedNext) {
        throw new IOException("ordinal " + ord + " of record '" + id + "' is outside 0.." + (savedNext - 1));
      }
      ords.put(id, ord);
    }
    if (index.ivf != null) {
      putSlots(records, ords, savedNext);
      return index.ivf.restore(in);
    }
    boolean hasGraph = in.readBoolean();
    if (hasGraph != (index.graph != null)) {
      throw new IOException(hasGraph ? "the saved state has a graph but the collection is FLAT"
          : "the saved state has no graph but the collection is HNSW");
    }
    putSlots(records, ords, savedNext);
    if (hasGraph) {
      HnswGraph loaded = HnswGraph.readFrom(in, Kernels.active(), ord -> {
        Slot s = state.slots.get(ord);
        return s == null ? null : s.vector;
      });
      IndexSpec.Hnsw h = (IndexSpec.Hnsw) index.spec.index();
      if (loaded.metric() != state.metric || loaded.m() != h.m() || loaded.efConstruction() != h.efConstruction()
          || loaded.size() > savedNext) {
        throw new IOException("the saved graph (" + loaded.metric() + ", m=" + loaded.m() + ", efConstruction="
            + loaded.efConstruction() + ", " + loaded.size() + " nodes) does not match the collection (" + state.metric
            + ", m=" + h.m() + ", efConstruction=" + h.efConstruction() + ", next ordinal " + savedNext + ")");
      }
      for (Slot s : state.byId.values()) {
        if (!loaded.contains(s.ord) || loaded.isDeleted(s.ord)) {
          throw new IOException("the saved graph lacks live record '" + s.id + "' (ordinal " + s.ord + ")");
        }
      }
      state.indexes = new CollectionState.Indexes(index.withGraph(loaded), null);
    }
    return null;
  }

  /** Puts every record in its saved ordinal's slot. @throws IOException when the ordinals do not fit the records */
  private void putSlots(Collection<Record> records, Map<String, Integer> ords, int savedNext) throws IOException {
    for (Record r : records) {
      Integer ord = ords.get(r.id());
      if (ord == null || state.slots.get(ord) != null) {
        throw new IOException(ord == null ? "record '" + r.id() + "' has no saved ordinal"
            : "ordinal " + ord + " is saved for two records");
      }
      state.spec.checkVector("record '" + r.id() + "'", r.vector());
      Slot s = state.newSlot(ord, r);
      s.live = true;
      state.slots.set(ord, s);
      state.byId.put(s.id, s);
      state.metadataIndex.add(ord, s.metadata);
    }
    state.nextOrd.set(savedNext);
  }

  /** Name of the snapshot blob holding {@link #writeIndexTo}'s output for an HNSW collection. */
  static final String INDEX_BLOB = "hnsw";
  /** Name of the snapshot blob holding {@link #writeIndexTo}'s output for an IVF collection. */
  static final String IVF_BLOB = "ivf";

  /** @return whether a snapshot section of this collection carries an index blob (HNSW and IVF) */
  boolean hasIndexState() {
    IndexSet index = state.serving();
    return index.graph != null || index.ivf != null;
  }

  /** @return the name of this collection's index blob */
  String blobName() {
    return state.ivf() != null ? IVF_BLOB : INDEX_BLOB;
  }

  /**
   * What a snapshot writes for one collection: its spec (with the index it serves now), then each
   * captured partition (one, or one per tenant that holds records).
   */
  static final class Section {
    private final CollectionSpec spec;
    private final List<Captured> parts;

    Section(CollectionSpec spec, List<Captured> parts) {
      this.spec = spec;
      this.parts = List.copyOf(parts);
    }

    /** Writes the section: the spec, then every partition. */
    void writeTo(SnapshotWriter w) throws IOException {
      w.collection(spec);
      for (Captured c : parts) {
        c.writeTo(w);
      }
    }
  }

  /**
   * The state a snapshot writes for this partition, captured while writers are stopped (the
   * store's write gate is held exclusively) so that it matches the covered log sequence exactly;
   * the snapshot file is then written from it while writers continue. Vectors are shared, not
   * copied (slots never change them); metadata, which updateMetadata replaces, is captured.
   */
  static final class Captured {
    private final String tenant;
    private final Slot[] live;
    private final Metadata[] metadata;
    private final byte[] index;
    private final String blobName;

    private Captured(String tenant, Slot[] live, Metadata[] metadata, byte[] index, String blobName) {
      this.tenant = tenant;
      this.live = live;
      this.metadata = metadata;
      this.index = index;
      this.blobName = blobName;
    }

    /** Writes the partition: its tenant (if any), its records in ordinal order, then the index blob. */
    void writeTo(SnapshotWriter w) throws IOException {
      if (tenant != null) {
        w.tenant(tenant);
      }
      for (int i = 0; i < live.length; i++) {
        w.record(Record.of(live[i].id, live[i].vector, metadata[i]));
      }
      if (index != null) {
        w.blob(blobName, out -> out.write(index));
      }
    }
  }

  /**
   * Captures the partition for a snapshot. The caller has stopped writers.
   *
   * @return the captured state
   */
  Captured capture() {
    state.commitLock.readLock().lock();
    try {
      int n = state.nextOrd.get();
      List<Slot> live = new ArrayList<>(state.byId.size());
      for (int ord = 0; ord < n; ord++) {
        Slot s = state.slots.get(ord);
        if (s != null && s.live) {
          live.add(s);
        }
      }
      Metadata[] md = new Metadata[live.size()];
      for (int i = 0; i < md.length; i++) {
        md[i] = live.get(i).metadata;
      }
      byte[] index = null;
      if (hasIndexState()) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(1024, live.size() * 64));
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(bytes, 1 << 16))) {
          writeIndexTo(out);
        } catch (IOException e) {
          throw new IllegalStateException("writing to memory failed", e);
        }
        index = bytes.toByteArray();
      }
      return new Captured(tenant, live.toArray(new Slot[0]), md, index, blobName());
    } finally {
      state.commitLock.readLock().unlock();
    }
  }
}
