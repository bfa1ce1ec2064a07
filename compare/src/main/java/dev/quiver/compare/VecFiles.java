package dev.quiver.compare;

import dev.quiver.InvalidArgumentException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Readers of the TEXMEX vector formats: {@code .fvecs} (float32 vectors) and {@code .ivecs} (int32
 * vectors, used for ground-truth neighbour lists). Each vector is a little-endian int32 dimension
 * followed by that many little-endian values.
 */
public final class VecFiles {

  private VecFiles() {}

  /**
   * @param path an {@code .fvecs} file
   * @param limit read at most this many vectors (≤ 0: all)
   * @return the vectors
   * @throws IOException if the file cannot be read
   * @throws InvalidArgumentException if it is malformed (a bad dimension, a dimension that changes, a truncated vector)
   */
  public static List<float[]> readFvecs(Path path, int limit) throws IOException {
    List<float[]> out = new ArrayList<>();
    read(path, limit, (dim, bytes) -> {
      float[] v = new float[dim];
      bytes.asFloatBuffer().get(v);
      out.add(v);
    });
    return out;
  }

  /**
   * @param path an {@code .ivecs} file
   * @param limit read at most this many vectors (≤ 0: all)
   * @return the vectors
   * @throws IOException if the file cannot be read
   * @throws InvalidArgumentException if it is malformed
   */
  public static List<int[]> readIvecs(Path path, int limit) throws IOException {
    List<int[]> out = new ArrayList<>();
    read(path, limit, (dim, bytes) -> {
      int[] v = new int[dim];
      bytes.asIntBuffer().get(v);
      out.add(v);
    });
    return out;
  }

  private interface Sink {
    void accept(int dimension, ByteBuffer values);
  }

  private static void read(Path path, int limit, Sink sink) throws IOException {
    try (InputStream raw = Files.newInputStream(path);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      byte[] head = new byte[4];
      int expected = -1;
      for (int n = 0; limit <= 0 || n < limit; n++) {
        int got = in.readNBytes(head, 0, 4);
        if (got == 0) {
          return;
        }
        if (got < 4) {
          throw new InvalidArgumentException(path + ": truncated dimension header at vector " + n);
        }
        int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (dim <= 0 || dim > 65_536) {
          throw new InvalidArgumentException(path + ": vector " + n + " has dimension " + dim
              + " (expected 1..65536; is this an .fvecs/.ivecs file?)");
        }
        if (expected >= 0 && dim != expected) {
          throw new InvalidArgumentException(path + ": vector " + n + " has dimension " + dim + ", the ones before "
              + expected);
        }
        expected = dim;
        byte[] body = new byte[dim * 4];
        try {
          in.readFully(body);
        } catch (EOFException e) {
          throw new InvalidArgumentException(path + ": vector " + n + " is truncated", e);
        }
        sink.accept(dim, ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN));
      }
    }
  }
}
