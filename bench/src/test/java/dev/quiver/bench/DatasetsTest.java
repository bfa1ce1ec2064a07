package dev.quiver.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Metric;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

  @TempDir
  Path dir;

  @Test
  void gaussianMixtureIsSeeded() {
    float[][][] a = Datasets.gaussianMixture(3, 8, 4, 50, 5);
    float[][][] b = Datasets.gaussianMixture(3, 8, 4, 50, 5);
    assertEquals(50, a[0].length);
    assertEquals(5, a[1].length);
    assertArrayEquals(a[0][49], b[0][49]);
    assertArrayEquals(a[1][4], b[1][4]);
  }

  @Test
  void userFilesGetGroundTruthAndFilteredGroundTruth() throws Exception {
    float[][][] g = Datasets.gaussianMixture(5, 4, 3, 300, 12);
    Path base = dir.resolve("mine.fvecs");
    Path q = dir.resolve("mine-q.fvecs");
    VecIO.writeFvecs(base, g[0]);
    VecIO.writeFvecs(q, g[1]);
    Datasets ds = new Datasets(dir.resolve("cache"));
    Datasets.Prepared p = ds.user(base, q, null, Metric.EUCLIDEAN,
        new Datasets.Want(Integer.MAX_VALUE, 10, 5, List.of(0.1), 10, 2));
    assertEquals(300, p.n());
    assertEquals(10, p.nq());
    assertEquals(4, p.dim());
    int[][] gt = VecIO.readIvecs(p.dir().resolve("gt.ivecs"), -1);
    assertEquals(10, gt.length);
    assertArrayEquals(GroundTruth.compute(g[0], new float[][] {g[1][0]}, Metric.EUCLIDEAN, 10, null, 1, null)[0], gt[0]);
    int[][] fgt = VecIO.readIvecs(p.dir().resolve("gt-filter-100.ivecs"), -1);
    assertEquals(5, fgt.length);
    for (int[] row : fgt) {
      for (int id : row) {
        assertTrue(Selectivity.bucket(id) < 100);
      }
    }
    assertThrows(Datasets.Missing.class, () -> ds.user(dir.resolve("nope.fvecs"), q, null, Metric.EUCLIDEAN,
        new Datasets.Want(10, 10, 5, List.of(), 10, 1)));
  }

  @Test
  void readsIdxImages() throws Exception {
    Path f = dir.resolve("img.gz");
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(f)))) {
      out.writeInt(2051);
      out.writeInt(2);
      out.writeInt(1);
      out.writeInt(3);
      out.write(new byte[] {0, 1, (byte) 255, 7, 8, 9});
    }
    float[][] v = Datasets.readIdx(f, 10);
    assertEquals(2, v.length);
    assertArrayEquals(new float[] {0f, 1f, 255f}, v[0]);
    assertArrayEquals(new float[] {7f, 8f, 9f}, v[1]);
  }

  @Test
  void fortuneSentencesAreSplitAndDeduplicated() throws Exception {
    Path d = dir.resolve("fortunes");
    Files.createDirectories(d);
    Files.writeString(d.resolve("wisdom"), "The early bird catches the worm, they say. But the second mouse gets "
        + "the cheese every time!\n%\nThe early bird catches the worm, they say.\n%\nshort.\n");
    Files.writeString(d.resolve("wisdom.dat"), "binary index, ignored");
    List<String> s = Datasets.fortuneSentences(d);
    assertEquals(2, s.size(), s.toString());
    assertTrue(s.contains("But the second mouse gets the cheese every time!"));
  }
}
