package dev.quiver.local.internal.ivf;

import dev.quiver.Metric;
import dev.quiver.local.internal.kernel.CodeKernel;
import dev.quiver.local.internal.kernel.VectorKernel;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * An inverted-file index (Sivic &amp; Zisserman's inverted file, as in FAISS's {@code IndexIVFFlat} and
 * {@code IndexIVFPQ}): vectors are assigned to the nearest of {@code nlist} trained centroids, and a
 * search scans only the lists of the centroids nearest to the query. The facade the engine uses; the
 * work is split as in Lucene: {@link IvfQuantizer} (with {@link KMeans} and {@link PqCodebook}) trains
 * and encodes, {@link InvertedList} holds the entries, {@link IvfSearcher} searches,
 * {@link IvfIndexFormat} reads and writes the saved form.
 *
 * <p><b>Ordinals</b> are chosen by the owner, as for the HNSW graph; the index never interprets them.
 * {@link #add} is idempotent per ordinal. Removal is the owner's business: it tells the index which
 * ordinals are live when searching, reports removals with {@link #removed} and lets
 * {@link #compactIfNeeded} drop the dead entries once they add up.
 *
 * <p><b>Concurrency.</b> Any number of threads may add, search and compact at once (see
 * {@link InvertedList}); searches never lock. {@link #writeTo} needs the owner to stop writers.
 */
public final class IvfIndex {

  final IvfQuantizer quantizer;
  final InvertedList[] lists;
  private final ListAssignments assignments = new ListAssignments();
  private final VectorKernel kernel;
  private final IvfSearcher searcher;
  private final AtomicInteger removedSinceCompaction = new AtomicInteger();
  private final AtomicInteger entries = new AtomicInteger();
  /** Squared quantisation error of every vector encoded since training (drift), and their number. */
  final DoubleAdder errorSum = new DoubleAdder();
  final LongAdder encoded = new LongAdder();

  /**
   * An empty index over a trained quantiser.
   *
   * @param quantizer the trained quantiser
   * @param kernel distances
   * @param codeKernel the PQ scan kernel
   */
  public IvfIndex(IvfQuantizer quantizer, VectorKernel kernel, CodeKernel codeKernel) {
    this.quantizer = quantizer;
    this.kernel = kernel;
    IvfParams p = quantizer.params;
    int planes = quantizer.pq == null ? 0 : quantizer.pq.planes;
    boolean extra = p.quantized() && p.metric() == Metric.EUCLIDEAN;
    this.lists = new InvertedList[p.nlist()];
    for (int i = 0; i < lists.length; i++) {
      lists[i] = new InvertedList(planes, extra, p.dimension());
    }
    this.searcher = new IvfSearcher(this, kernel, codeKernel);
  }

  /** @return the parameters */
  public IvfParams params() {
    return quantizer.params;
  }

  /** @return the trained quantiser (shared by a rebuilt index that keeps the training) */
  public IvfQuantizer quantizer() {
    return quantizer;
  }

  /**
   * Adds a vector under an ordinal; does nothing when the ordinal was added before. Thread-safe.
   *
   * @param ord the ordinal
   * @param vector the vector as stored (IVF-FLAT keeps a copy, normalised under COSINE)
   * @return whether it was added now
   */
  public boolean add(int ord, float[] vector) {
    if (assignments.listOf(ord) >= 0) {
      return false;
    }
    float[] x = quantizer.prepare(vector);
    IvfQuantizer.Encoded e = quantizer.encode(x, kernel);
    if (!assignments.claim(ord, e.list())) {
      return false;
    }
    lists[e.list()].add(ord, e.planes(), e.extra(), x);
    entries.incrementAndGet();
    errorSum.add(e.error());
    encoded.increment();
    return true;
  }

  /** @return whether the ordinal was added */
  public boolean contains(int ord) {
    return assignments.listOf(ord) >= 0;
  }

  /**
   * Records that an added ordinal's record is gone (its entry stays until compaction; searches skip it
   * through their predicate).
   *
   * @param ord the ordinal
   */
  public void removed(int ord) {
    int list = assignments.listOf(ord);
    if (list >= 0) {
      lists[list].dead.incrementAndGet();
      removedSinceCompaction.incrementAndGet();
    }
  }

  /**
   * Drops the entries of removed records from the lists that hold at least one, once removals since the
   * last compaction exceed an eighth of the entries (at least 64).
   *
   * @param keep which ordinals must stay: every live record, and records added but not yet committed
   * @return entries dropped (0 when not due)
   */
  public int compactIfNeeded(IntPredicate keep) {
    int removed = removedSinceCompaction.get();
    if (removed < Math.max(64, entries.get() / 8)) {
      return 0;
    }
    return compact(keep);
  }

  /** Compacts every list with removed entries now. @return entries dropped */
  public synchronized int compact(IntPredicate keep) {
    removedSinceCompaction.set(0);
    int dropped = 0;
    for (InvertedList l : lists) {
      if (l.dead.get() > 0) {
        dropped += l.compact(keep);
      }
    }
    entries.addAndGet(-dropped);
    return dropped;
  }

  /** @return entries held, removed ones not yet compacted included */
  public int entries() {
    return entries.get();
  }

  /** A search's candidates, best estimate first. */
  public record Result(int[] ords, float[] estimates, int listsProbed, long scanned) {
    /** @return how many candidates */
    public int size() {
      return ords.length;
    }
  }

  /**
   * Approximate nearest candidates by estimated distance (see {@link IvfSearcher}).
   *
   * @param query the query vector
   * @param nprobe lists to probe at least
   * @param candidates how many candidates to return at most (the search probes further until it has them)
   * @param accept which ordinals may be returned (live and admitted by the filter)
   * @return the candidates, nearest estimate first
   */
  public Result search(float[] query, int nprobe, int candidates, IntPredicate accept) {
    return search(query, nprobe, candidates, accept, null, 0);
  }

  /**
   * A filtered search: as {@link #search(float[], int, int, IntPredicate)}, probing further until at least
   * {@code minAdmitted} scanned entries pass {@code admitted} (see {@link IvfSearcher}).
   *
   * @param query the query vector
   * @param nprobe lists to probe at least
   * @param candidates how many candidates to return at most
   * @param accept which ordinals may be returned (live and admitted by the filter)
   * @param admitted the filter alone (cheap), or null when {@code minAdmitted} is 0
   * @param minAdmitted admitted entries to scan at least
   * @return the candidates, nearest estimate first
   */
  public Result search(float[] query, int nprobe, int candidates, IntPredicate accept, IntPredicate admitted,
      long minAdmitted) {
    return searcher.search(query, Math.max(1, nprobe), Math.max(1, candidates), accept, admitted,
        admitted == null ? 0 : minAdmitted);
  }

  /** @return figures for reports: training, drift, size */
  public IvfStats stats() {
    long n = encoded.sum();
    long bytes = assignments.bytes();
    int planes = quantizer.pq == null ? 0 : quantizer.pq.planes;
    for (InvertedList l : lists) {
      InvertedList.Postings p = l.postings();
      bytes += 4L * p.ords.length + (p.codes == null ? 0 : p.codes.length) + (p.extra == null ? 0 : 4L * p.extra.length)
          + (p.vectors == null ? 0 : 4L * p.vectors.length) + 64;
    }
    long table = (long) quantizer.centroids.length * quantizer.params.dimension() * 4;
    if (quantizer.pq != null) {
      table += 2L * quantizer.pq.codebook.length * 4;
    }
    return new IvfStats(quantizer.params, quantizer.trainingSamples, quantizer.trainingNanos, quantizer.trainingError,
        n == 0 ? Double.NaN : errorSum.sum() / n, n, entries.get(), removedSinceCompaction.get(), planes, bytes, table);
  }

  // ---------------------------------------------------------------- persistence

  /**
   * Writes the index (quantiser, drift figures, and the entries of the ordinals {@code include}
   * admits). Writers must be stopped.
   *
   * @param out the sink
   * @param include which ordinals to write
   * @throws IOException from the sink
   */
  public void writeTo(DataOutput out, IntPredicate include) throws IOException {
    IvfIndexFormat.write(this, out, include);
  }

  /**
   * Reads what {@link #writeTo} wrote.
   *
   * @param in the source
   * @param expected the parameters the owner's collection has (a mismatch is an error)
   * @param maxEntries how many entries there can be at most (the live records)
   * @param vectors the vector of each ordinal (IVF-FLAT lists refer to them)
   * @param kernel distances
   * @param codeKernel the PQ scan kernel
   * @return the index
   * @throws IOException on a read error, or a malformed, mismatching or unknown-version stream
   */
  public static IvfIndex readFrom(DataInput in, IvfParams expected, int maxEntries, IntFunction<float[]> vectors,
      VectorKernel kernel, CodeKernel codeKernel) throws IOException {
    return IvfIndexFormat.read(in, expected, maxEntries, vectors, kernel, codeKernel);
  }

  /** Loads one list from a snapshot (the index is not shared yet). @throws IOException on a duplicate ordinal */
  void load(int list, int[] ords, byte[] codes, float[] extra, float[][] vectors) throws IOException {
    for (int ord : ords) {
      if (ord < 0 || !assignments.claim(ord, list)) {
        throw new IOException("ordinal " + ord + " is saved twice (or is negative) in the IVF lists");
      }
    }
    if (vectors != null) {
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = quantizer.prepare(vectors[i]);
      }
    }
    lists[list].load(ords, codes, extra, vectors);
    entries.addAndGet(ords.length);
  }

  @Override
  public String toString() {
    return "IvfIndex[" + quantizer.params + ", " + entries.get() + " entries]";
  }
}
