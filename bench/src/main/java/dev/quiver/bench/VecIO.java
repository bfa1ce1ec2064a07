package dev.quiver.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the .fvecs / .ivecs formats of the ANN benchmark corpora: each vector is a
 * little-endian int32 dimension followed by that many little-endian float32 (or int32) values.
 */
public final class VecIO {

  private VecIO() {}

  /**
   * @param file an .fvecs file
   * @param limit read at most this many vectors (or all when negative)
   * @return the vectors
   * @throws IOException on a read error or a malformed file
   */
  public static float[][] readFvecs(Path file, int limit) throws IOException {
    List<float[]> out = new ArrayList<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      byte[] head = new byte[4];
      while (limit < 0 || out.size() < limit) {
        if (!readFully(in, head, true)) {
          break;
        }
        int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (dim <= 0 || dim > 1 << 20) {
          throw new IOException(file + ": bad dimension " + dim + " at vector " + out.size());
        }
        byte[] body = new byte[dim * 4];
        readFully(in, body, false);
        float[] v = new float[dim];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        if (!out.isEmpty() && out.get(0).length != dim) {
          throw new IOException(file + ": vector " + out.size() + " has dimension " + dim + ", the first " + out.get(0).length);
        }
        out.add(v);
      }
    }
    return out.toArray(new float[0][]);
  }

  /**
   * @param file an .ivecs file
   * @param limit read at most this many rows (or all when negative)
   * @return the rows
   * @throws IOException on a read error or a malformed file
   */
  public static int[][] readIvecs(Path file, int limit) throws IOException {
    List<int[]> out = new ArrayList<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      byte[] head = new byte[4];
      while (limit < 0 || out.size() < limit) {
        if (!readFully(in, head, true)) {
          break;
        }
        int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (dim < 0 || dim > 1 << 20) {
          throw new IOException(file + ": bad row length " + dim + " at row " + out.size());
        }
        byte[] body = new byte[dim * 4];
        readFully(in, body, false);
        int[] v = new int[dim];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
        out.add(v);
      }
    }
    return out.toArray(new int[0][]);
  }

  /**
   * Writes atomically (temp file, then rename).
   *
   * @param file target
   * @param vectors rows
   * @throws IOException on a write error
   */
  public static void writeFvecs(Path file, float[][] vectors) throws IOException {
    write(file, out -> {
      for (float[] v : vectors) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(v.length);
        b.asFloatBuffer().put(v);
        out.write(b.array());
      }
    });
  }

  /**
   * Writes atomically (temp file, then rename).
   *
   * @param file target
   * @param rows rows
   * @throws IOException on a write error
   */
  public static void writeIvecs(Path file, int[][] rows) throws IOException {
    write(file, out -> {
      for (int[] v : rows) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(v.length);
        b.asIntBuffer().put(v);
        out.write(b.array());
      }
    });
  }

  /**
   * Appends vectors to an .fvecs file (creating it).
   *
   * @param file target
   * @param vectors rows
   * @throws IOException on a write error
   */
  public static void appendFvecs(Path file, List<float[]> vectors) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND))) {
      for (float[] v : vectors) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(v.length);
        b.asFloatBuffer().put(v);
        out.write(b.array());
      }
    }
  }

  private interface Body {
    void write(OutputStream out) throws IOException;
  }

  private static void write(Path file, Body body) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        body.write(out);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean readFully(InputStream in, byte[] buf, boolean eofOk) throws IOException {
    int off = 0;
    while (off < buf.length) {
      int n = in.read(buf, off, buf.length - off);
      if (n < 0) {
        if (off == 0 && eofOk) {
          return false;
        }
        throw new EOFException("truncated vector file");
      }
      off += n;
    }
    return true;
  }

  static DataInputStream data(InputStream in) {
    return new DataInputStream(new BufferedInputStream(in, 1 << 16));
  }
}
