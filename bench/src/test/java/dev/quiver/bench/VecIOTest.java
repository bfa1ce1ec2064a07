package dev.quiver.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VecIOTest {

  @TempDir
  Path dir;

  @Test
  void fvecsRoundTrip() throws IOException {
    float[][] v = {{1f, -2.5f, 3e-7f}, {Float.MAX_VALUE, 0f, -0f}, {4f, 5f, 6f}};
    Path f = dir.resolve("a.fvecs");
    VecIO.writeFvecs(f, v);
    assertEquals(3 * (4 + 3 * 4), Files.size(f));
    float[][] back = VecIO.readFvecs(f, -1);
    assertEquals(3, back.length);
    for (int i = 0; i < v.length; i++) {
      assertArrayEquals(v[i], back[i]);
    }
    assertEquals(2, VecIO.readFvecs(f, 2).length);
  }

  @Test
  void fvecsIsLittleEndianWithDimensionPrefix() throws IOException {
    Path f = dir.resolve("b.fvecs");
    VecIO.writeFvecs(f, new float[][] {{1f}});
    byte[] b = Files.readAllBytes(f);
    assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, (byte) 0x80, 0x3f}, b);
  }

  @Test
  void ivecsRoundTrip() throws IOException {
    int[][] v = {{1, 2, 3, 4}, {-1, Integer.MAX_VALUE, 0, 7}};
    Path f = dir.resolve("a.ivecs");
    VecIO.writeIvecs(f, v);
    int[][] back = VecIO.readIvecs(f, -1);
    assertEquals(2, back.length);
    assertArrayEquals(v[0], back[0]);
    assertArrayEquals(v[1], back[1]);
  }

  @Test
  void appendExtendsAFile() throws IOException {
    Path f = dir.resolve("c.fvecs");
    VecIO.appendFvecs(f, List.of(new float[] {1f, 2f}));
    VecIO.appendFvecs(f, List.of(new float[] {3f, 4f}, new float[] {5f, 6f}));
    float[][] back = VecIO.readFvecs(f, -1);
    assertEquals(3, back.length);
    assertArrayEquals(new float[] {5f, 6f}, back[2]);
  }

  @Test
  void truncatedFileIsAnError() throws IOException {
    Path f = dir.resolve("d.fvecs");
    VecIO.writeFvecs(f, new float[][] {{1f, 2f, 3f}});
    byte[] b = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(b, b.length - 2));
    assertThrows(IOException.class, () -> VecIO.readFvecs(f, -1));
  }

  @Test
  void mixedDimensionsAreAnError() throws IOException {
    Path f = dir.resolve("e.fvecs");
    VecIO.appendFvecs(f, List.of(new float[] {1f, 2f}, new float[] {1f, 2f, 3f}));
    assertThrows(IOException.class, () -> VecIO.readFvecs(f, -1));
  }
}
