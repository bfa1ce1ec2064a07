package dev.quiver.local.internal.index;

import dev.quiver.Metric;
import dev.quiver.local.internal.kernel.VectorKernel;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * A hierarchical navigable small-world graph (Malkov &amp; Yashunin, "Efficient and robust approximate
 * nearest neighbor search using Hierarchical Navigable Small World graphs", 2018). The facade the
 * engine uses; the work is split as in Lucene: {@link GraphStore} holds the nodes and their neighbour
 * arrays ({@link HnswNode}), {@link HnswBuilder} inserts, {@link HnswSearcher} searches,
 * {@link HnswRepair} rewires around tombstones, {@link HnswGraphFormat} reads and writes the saved
 * form, and {@link GraphDistance} computes the traversal distances.
 *
 * <p><b>Nodes</b> are identified by ordinals chosen by the owner ({@link #insert(int, float[])}); the
 * graph never interprets them beyond indexing. A node's level is a deterministic function of its
 * ordinal and the graph's seed (exponential with {@code mL = 1/ln M}, as in the paper), so a build
 * is reproducible and needs no shared random generator.
 *
 * <p><b>Concurrency.</b> Any number of threads may insert, search, delete and {@link #repair()} at
 * once. Each node's neighbour list per layer is an immutable {@code int[]} replaced as a whole
 * (copy on write) while holding that node's monitor; searches read the lists without locking and so
 * never wait for writers. Only raising the entry point takes a graph-wide lock, which searches do not.
 * {@link #writeTo(DataOutput)} needs the owner to stop writers (searches may continue).
 *
 * <p><b>Deletes</b> are tombstones: a deleted node is still traversed (it keeps the graph connected)
 * but never returned and never chosen as a new neighbour. {@link #repair()} then rewires every live
 * node that points at a tombstone, choosing among its live neighbours and the tombstones' live
 * neighbours with the same heuristic (as FreshDiskANN does), so recall does not rot under churn.
 *
 * <p><b>Distances</b> used for traversal are float and monotone in the metric's distance: squared L2
 * for EUCLIDEAN, {@code -dot} for DOT_PRODUCT and {@code 1 - cos} for COSINE. Callers recompute
 * exact double scores for what they return.
 */
public final class HnswGraph {

  /** Format version written by {@link #writeTo(DataOutput, boolean)}. */
  static final int FORMAT_VERSION = 1;

  private final int dimension;
  private final int m;
  private final int efConstruction;
  private final long seed;
  private final GraphDistance distance;
  private final GraphStore store = new GraphStore();
  private final HnswSearcher searcher;
  private final HnswBuilder builder;
  private final HnswRepair repairer;

  /**
   * @param metric the metric whose order the graph follows
   * @param dimension vector length
   * @param m neighbours per node on upper layers ({@code 2m} on layer 0)
   * @param efConstruction candidate list size while inserting
   * @param seed seed of the level assignment
   * @param kernel the distance kernel
   */
  public HnswGraph(Metric metric, int dimension, int m, int efConstruction, long seed, VectorKernel kernel) {
    if (m < 2 || efConstruction < 1 || dimension < 1) {
      throw new IllegalArgumentException("bad HNSW parameters: m=" + m + ", efConstruction=" + efConstruction);
    }
    this.dimension = dimension;
    this.m = m;
    this.efConstruction = efConstruction;
    this.seed = seed;
    this.distance = new GraphDistance(metric, kernel);
    this.searcher = new HnswSearcher(store, distance);
    this.builder = new HnswBuilder(store, distance, searcher, dimension, m, efConstruction, seed);
    this.repairer = new HnswRepair(store, distance);
  }

  /** @return the metric */
  public Metric metric() {
    return distance.metric;
  }

  /** @return the neighbours per node on the upper layers */
  public int m() {
    return m;
  }

  /** @return the construction candidate list size */
  public int efConstruction() {
    return efConstruction;
  }

  /** @return one past the largest ordinal inserted */
  public int size() {
    return store.size();
  }

  /** @return the kernel in use */
  VectorKernel kernel() {
    return distance.kernel;
  }

  int dimension() {
    return dimension;
  }

  long seed() {
    return seed;
  }

  GraphStore store() {
    return store;
  }

  GraphDistance distance() {
    return distance;
  }

  // ---------------------------------------------------------------- nodes

  /**
   * @param ord an ordinal
   * @return whether a node with this ordinal was inserted
   */
  public boolean contains(int ord) {
    return store.contains(ord);
  }

  /**
   * @param ord an inserted ordinal
   * @return its vector (not a copy: do not modify)
   */
  float[] vector(int ord) {
    return store.node(ord).vector;
  }

  /**
   * @param ord an inserted ordinal
   * @return whether it is a tombstone
   */
  public boolean isDeleted(int ord) {
    HnswNode n = store.node(ord);
    return n == null || n.deleted;
  }

  /** @return how many inserted nodes are tombstones */
  int deletedCount() {
    return store.deletedCount();
  }

  // ---------------------------------------------------------------- insert, search, delete

  /**
   * Inserts a vector under an ordinal not used before (Algorithm 1 of the paper). Thread-safe.
   * The node is reachable by searches as soon as its first back-link is written; owners that must
   * not return it yet filter it out through the search predicate.
   *
   * @param ord the node's ordinal, ≥ 0, unique
   * @param vector the vector, kept by reference (the caller must not modify it)
   */
  public void insert(int ord, float[] vector) {
    builder.insert(ord, vector);
  }

  /**
   * @param query a query vector
   * @return the factor a traversal distance needs with this query (the inverse norm under COSINE)
   */
  float queryFactor(float[] query) {
    return distance.invNorm(query);
  }

  /** Result of {@link #search}: ordinals nearest first, with their traversal distances. */
  public record Result(int[] nodes, float[] distances, int visited) {
    /** @return how many results */
    public int size() {
      return nodes.length;
    }
  }

  /**
   * k-nearest-neighbour search (Algorithm 5), filter-aware on layer 0: every node is traversed, but
   * only nodes that {@code accept} admits enter the result list, so a restrictive filter makes the
   * search walk further instead of returning fewer results.
   *
   * @param query the query vector
   * @param ef candidate list size; at most this many results come back
   * @param accept which ordinals may be returned (tombstones are never returned)
   * @param maxVisits bound on expanded nodes on layer 0 ({@code Integer.MAX_VALUE} for none)
   * @return up to {@code ef} accepted, live nodes, nearest first
   */
  public Result search(float[] query, int ef, IntPredicate accept, int maxVisits) {
    return searcher.search(query, ef, accept, maxVisits);
  }

  /**
   * Marks a node as a tombstone: never returned, never chosen as a new neighbour, still traversed
   * until {@link #repair()} rewires around it.
   *
   * @param ord an inserted ordinal
   */
  public void markDeleted(int ord) {
    HnswNode n = store.node(ord);
    if (n != null) {
      n.deleted = true;
    }
  }

  /**
   * Rewires every live node that links to a tombstone: its new neighbours are chosen with the
   * heuristic among its live neighbours and the live nodes reachable through its tombstone
   * neighbours (up to two tombstones deep). Moves the entry point off a tombstone. Safe to run while
   * other threads insert and search.
   *
   * @return how many neighbour lists were rewritten
   */
  public int repair() {
    return repairer.repair();
  }

  // ---------------------------------------------------------------- persistence

  /**
   * Writes the graph with its vectors. Writers must be stopped while this runs.
   *
   * @param out the sink
   * @throws IOException from the sink
   */
  void writeTo(DataOutput out) throws IOException {
    writeTo(out, true);
  }

  /**
   * Writes the graph in the format {@link HnswGraphFormat} describes. Writers must be stopped while
   * this runs. Checksumming is the storage layer's job.
   *
   * @param out the sink
   * @param withVectors false when the owner stores the vectors of live nodes elsewhere and passes
   *     them to {@link #readFrom(DataInput, VectorKernel, IntFunction)}; tombstones' vectors are
   *     always written, since the owner has forgotten them but traversal still needs them
   * @throws IOException from the sink
   */
  public void writeTo(DataOutput out, boolean withVectors) throws IOException {
    HnswGraphFormat.write(this, out, withVectors);
  }

  /**
   * Reads a graph written with vectors.
   *
   * @param in the source
   * @param kernel the kernel to search with
   * @return the graph
   * @throws IOException on a read error or a malformed or unknown-version stream
   */
  static HnswGraph readFrom(DataInput in, VectorKernel kernel) throws IOException {
    return readFrom(in, kernel, null);
  }

  /**
   * Reads a graph written by {@link #writeTo(DataOutput, boolean)}.
   *
   * @param in the source
   * @param kernel the kernel to search with
   * @param vectors the vector of each live ordinal, when the stream was written without vectors;
   *     may be null otherwise
   * @return the graph
   * @throws IOException on a read error or a malformed or unknown-version stream
   */
  public static HnswGraph readFrom(DataInput in, VectorKernel kernel, IntFunction<float[]> vectors)
      throws IOException {
    return HnswGraphFormat.read(in, kernel, vectors);
  }
}
