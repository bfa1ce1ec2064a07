package dev.quiver.local.internal.index;

import dev.quiver.Metric;
import dev.quiver.local.internal.kernel.VectorKernel;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.IntFunction;

/**
 * The serialized form of an HNSW graph: a versioned header (magic, version, metric, dimension, M,
 * efConstruction, seed, whether vectors are included), the entry point, then per ordinal a presence
 * byte and, for present nodes, the tombstone flag, the level, optionally the vector, and the
 * neighbour arrays. Checksumming is the storage layer's job.
 */
final class HnswGraphFormat {

  static final int MAGIC = 0x51484e53; // "QHNS"

  private HnswGraphFormat() {}

  /** See {@link HnswGraph#writeTo(DataOutput, boolean)}. */
  static void write(HnswGraph g, DataOutput out, boolean withVectors) throws IOException {
    GraphStore store = g.store();
    out.writeInt(MAGIC);
    out.writeInt(HnswGraph.FORMAT_VERSION);
    out.writeUTF(g.metric().name());
    out.writeInt(g.dimension());
    out.writeInt(g.m());
    out.writeInt(g.efConstruction());
    out.writeLong(g.seed());
    out.writeBoolean(withVectors);
    int n = store.size();
    out.writeInt(n);
    GraphStore.Entry ep = store.entry();
    out.writeInt(ep == null ? -1 : ep.node());
    out.writeInt(ep == null ? -1 : ep.level());
    for (int ord = 0; ord < n; ord++) {
      HnswNode node = store.node(ord);
      if (node == null) {
        out.writeByte(0);
        continue;
      }
      out.writeByte(1);
      out.writeBoolean(node.deleted);
      out.writeByte(node.level);
      if (withVectors || node.deleted) { // the owner no longer has a tombstone's vector
        for (float f : node.vector) {
          out.writeFloat(f);
        }
      }
      for (int l = 0; l <= node.level; l++) {
        int[] links = node.neighbours(l);
        out.writeShort(links.length);
        for (int x : links) {
          out.writeInt(x);
        }
      }
    }
  }

  /**
   * Reads a graph written with vectors.
   *
   * @param in the source
   * @param kernel the kernel to search with
   * @return the graph
   * @throws IOException on a read error or a malformed or unknown-version stream

  /** See {@link HnswGraph#readFrom(DataInput, VectorKernel, IntFunction)}. */
  static HnswGraph read(DataInput in, VectorKernel kernel, IntFunction<float[]> vectors)
      throws IOException {
    if (in.readInt() != MAGIC) {
      throw new IOException("not an HNSW graph stream");
    }
    int version = in.readInt();
    if (version != HnswGraph.FORMAT_VERSION) {
      throw new IOException("HNSW graph format version " + version + " is not supported (this build reads "
          + HnswGraph.FORMAT_VERSION + ")");
    }
    Metric metric;
    try {
      metric = Metric.valueOf(in.readUTF());
    } catch (IllegalArgumentException e) {
      throw new IOException("unknown metric in HNSW graph stream", e);
    }
    int dimension = in.readInt();
    int m = in.readInt();
    int efConstruction = in.readInt();
    long seed = in.readLong();
    boolean withVectors = in.readBoolean();
    if (!withVectors && vectors == null) {
      throw new IOException("the HNSW graph stream holds no vectors and none were supplied");
    }
    HnswGraph g;
    try {
      g = new HnswGraph(metric, dimension, m, efConstruction, seed, kernel);
    } catch (IllegalArgumentException e) {
      throw new IOException("malformed HNSW graph header", e);
    }
    int n = in.readInt();
    int entryNode = in.readInt();
    int entryLevel = in.readInt();
    if (n < 0 || entryNode >= n) {
      throw new IOException("malformed HNSW graph: size " + n + ", entry " + entryNode);
    }
    for (int ord = 0; ord < n; ord++) {
      if (in.readByte() == 0) {
        continue;
      }
      boolean deleted = in.readBoolean();
      int level = in.readByte();
      if (level < 0 || level > 32) {
        throw new IOException("malformed HNSW graph: level " + level + " at node " + ord);
      }
      float[] v;
      if (withVectors || deleted) {
        v = new float[dimension];
        for (int i = 0; i < dimension; i++) {
          v[i] = in.readFloat();
        }
      } else {
        v = vectors.apply(ord);
        if (v == null || v.length != dimension) {
          throw new IOException("no vector of dimension " + dimension + " supplied for node " + ord);
        }
      }
      HnswNode node = new HnswNode(v, g.distance().invNorm(v), level);
      node.deleted = deleted;
      for (int l = 0; l <= level; l++) {
        int count = in.readUnsignedShort();
        int[] links = new int[count];
        for (int i = 0; i < count; i++) {
          links[i] = in.readInt();
          if (links[i] < 0 || links[i] >= n) {
            throw new IOException("malformed HNSW graph: link to " + links[i] + " at node " + ord);
          }
        }
        node.setNeighbours(l, links);
      }
      g.store().add(ord, node);
    }
    if (entryNode >= 0) {
      if (g.store().node(entryNode) == null) {
        throw new IOException("malformed HNSW graph: entry point " + entryNode + " is not a node");
      }
      g.store().setEntry(new GraphStore.Entry(entryNode, entryLevel));
    }
    return g;
  }

}
