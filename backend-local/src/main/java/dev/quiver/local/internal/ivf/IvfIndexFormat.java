package dev.quiver.local.internal.ivf;

import dev.quiver.Metric;
import dev.quiver.local.internal.kernel.CodeKernel;
import dev.quiver.local.internal.kernel.VectorKernel;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * The saved form of an {@link IvfIndex}, big-endian through {@link DataOutput}; checksumming is the
 * storage layer's job. Version 1:
 *
 * <pre>
 * version i32 (1)
 * metric u8 (1 COSINE, 2 DOT_PRODUCT, 3 EUCLIDEAN) | dimension i32 | nlist i32 | subspaces i32 | bits i32
 * centroids      nlist × dimension f32
 * codebook       subspaces × 2^bits × (dimension / subspaces) f32            (IVF-PQ only)
 * training       samples i32 | nanos i64 | mean error f64
 * drift          error sum f64 | vectors encoded i64
 * per list       count i32, then count × (ordinal i32 | code planes u8×planes (IVF-PQ) | extra f32 (IVF-PQ, EUCLIDEAN))
 * end marker     i32 0x49564645 ("IVFE")
 * </pre>
 *
 * IVF-FLAT lists hold ordinals only; the vectors come from the owner's records. Only the ordinals the
 * writer includes are written, so the saved lists hold
 * exactly the live records of the snapshot.
 */
final class IvfIndexFormat {

  static final int VERSION = 1;
  static final int END = 0x49564645;

  private IvfIndexFormat() {}

  static void write(IvfIndex index, DataOutput out, IntPredicate include) throws IOException {
    IvfQuantizer q = index.quantizer;
    IvfParams p = q.params;
    out.writeInt(VERSION);
    out.writeByte(metricCode(p.metric()));
    out.writeInt(p.dimension());
    out.writeInt(p.nlist());
    out.writeInt(p.subspaces());
    out.writeInt(p.bits());
    for (float[] c : q.centroids) {
      writeFloats(out, c, 0, c.length);
    }
    if (q.pq != null) {
      writeFloats(out, q.pq.codebook, 0, q.pq.codebook.length);
    }
    out.writeInt(q.trainingSamples);
    out.writeLong(q.trainingNanos);
    out.writeDouble(q.trainingError);
    out.writeDouble(index.errorSum.sum());
    out.writeLong(index.encoded.sum());
    int planes = q.pq == null ? 0 : q.pq.planes;
    byte[] code = new byte[planes];
    for (InvertedList l : index.lists) {
      InvertedList.Postings ps = l.postings();
      int n = ps.size;
      int count = 0;
      for (int i = 0; i < n; i++) {
        if (include.test(ps.ords[i])) {
          count++;
        }
      }
      out.writeInt(count);
      for (int i = 0; i < n; i++) {
        if (!include.test(ps.ords[i])) {
          continue;
        }
        out.writeInt(ps.ords[i]);
        if (planes > 0) {
          InvertedList.readCode(ps, planes, i, code, 0);
          out.write(code);
        }
        if (ps.extra != null) {
          out.writeFloat(ps.extra[i]);
        }
      }
    }
    out.writeInt(END);
  }

  static IvfIndex read(DataInput in, IvfParams expected, int maxEntries, IntFunction<float[]> vectors,
      VectorKernel kernel, CodeKernel codeKernel) throws IOException {
    int version = in.readInt();
    if (version != VERSION) {
      throw new IOException("IVF index format version " + version + " is not supported (this build reads " + VERSION + ")");
    }
    Metric metric = metric(in.readUnsignedByte());
    IvfParams p;
    try {
      p = new IvfParams(metric, in.readInt(), in.readInt(), in.readInt(), in.readInt());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage());
    }
    if (!p.equals(expected)) {
      throw new IOException("the saved IVF index (" + p + ") does not match the collection (" + expected + ")");
    }
    float[][] centroids = new float[p.nlist()][p.dimension()];
    for (float[] c : centroids) {
      readFloats(in, c);
    }
    PqCodebook pq = null;
    if (p.quantized()) {
      float[] book = new float[p.subspaces() * (1 << p.bits()) * (p.dimension() / p.subspaces())];
      readFloats(in, book);
      pq = new PqCodebook(p.subspaces(), p.dimension() / p.subspaces(), p.bits(), book);
    }
    int samples = in.readInt();
    long nanos = in.readLong();
    double trainingError = in.readDouble();
    IvfIndex index = new IvfIndex(new IvfQuantizer(p, centroids, pq, trainingError, samples, nanos), kernel, codeKernel);
    index.errorSum.add(in.readDouble());
    index.encoded.add(in.readLong());
    int planes = pq == null ? 0 : pq.planes;
    boolean extra = p.quantized() && metric == Metric.EUCLIDEAN;
    long total = 0;
    for (int list = 0; list < p.nlist(); list++) {
      int count = in.readInt();
      total += count;
      if (count < 0 || total > maxEntries) {
        throw new IOException("IVF list " + list + " has an impossible size " + count + " (the snapshot holds "
            + maxEntries + " records)");
      }
      int[] ords = new int[count];
      byte[] codes = planes > 0 ? new byte[Math.multiplyExact(count, planes)] : null;
      float[] ex = extra ? new float[count] : null;
      float[][] vs = pq == null ? new float[count][] : null;
      for (int i = 0; i < count; i++) {
        ords[i] = in.readInt();
        if (codes != null) {
          in.readFully(codes, i * planes, planes);
        }
        if (ex != null) {
          ex[i] = in.readFloat();
        }
        if (vs != null) {
          vs[i] = vectors.apply(ords[i]);
          if (vs[i] == null || vs[i].length != p.dimension()) {
            throw new IOException("IVF list " + list + " refers to ordinal " + ords[i] + ", which holds no record");
          }
        }
      }
      index.load(list, ords, codes, ex, vs);
    }
    int end = in.readInt();
    if (end != END) {
      throw new IOException("the saved IVF index does not end with its marker (found 0x" + Integer.toHexString(end) + ")");
    }
    return index;
  }

  static int metricCode(Metric m) {
    return switch (m) {
      case COSINE -> 1;
      case DOT_PRODUCT -> 2;
      case EUCLIDEAN -> 3;
    };
  }

  static Metric metric(int code) throws IOException {
    return switch (code) {
      case 1 -> Metric.COSINE;
      case 2 -> Metric.DOT_PRODUCT;
      case 3 -> Metric.EUCLIDEAN;
      default -> throw new IOException("unknown metric code " + code + " in the saved IVF index");
    };
  }

  private static void writeFloats(DataOutput out, float[] v, int from, int to) throws IOException {
    for (int i = from; i < to; i++) {
      out.writeFloat(v[i]);
    }
  }

  private static void readFloats(DataInput in, float[] v) throws IOException {
    for (int i = 0; i < v.length; i++) {
      v[i] = in.readFloat();
      if (!Float.isFinite(v[i])) {
        throw new IOException("a saved IVF centroid or codeword is not finite");
      }
    }
  }
}
