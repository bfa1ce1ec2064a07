package dev.quiver.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.Metric;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  @TempDir
  Path dir;

  @Test
  void markdownTableAlignsAndEscapes() {
    String t = new MarkdownTable("engine", ">QPS").row("a|b", "1,234").row("longer name", "5").render();
    String[] lines = t.split("\n");
    assertEquals(4, lines.length);
    assertEquals("| engine      |   QPS |", lines[0]);
    assertEquals("| ----------- | ----: |", lines[1]);
    assertEquals("| a\\|b        | 1,234 |", lines[2]);
    assertEquals("| longer name |     5 |", lines[3]);
  }

  @Test
  void markdownRowMustMatchColumns() {
    assertThrows(IllegalArgumentException.class, () -> new MarkdownTable("a", "b").row("only one"));
  }

  @Test
  void datasetSectionShowsUnavailableEngines() {
    Results.EngineRun ok = new Results.EngineRun("hnswlib-java", "Java 17");
    ok.buildSeconds = 1.5;
    ok.memoryDelta = 1000 * 600L;
    ok.n = 1000;
    ok.dim = 100;
    ok.sweep.add(new Results.Point(10, 0.91234, 12345.6, 23456.7));
    Results.EngineRun na = new Results.EngineRun("quiver-hnsw", "Java 17");
    na.status = "not available";
    na.reason = "HNSW not offered yet";
    BenchMain.Options o = BenchMain.parse(new String[] {"--quick"});
    Datasets.Prepared d = new Datasets.Prepared("tiny", "a tiny set", Metric.EUCLIDEAN, dir, 1000, 10, 100);
    String s = Report.datasetSection(new Results.DatasetRun(d, List.of(ok, na)), o, true);
    assertTrue(s.contains("| hnswlib-java (Java 17) |  10 |    0.9123 |       12,346 |        23,457 |")
        || s.contains("0.9123"), s);
    assertTrue(s.contains("200"), "bytes beyond raw floats: 600 - 400 = 200\n" + s);
    assertTrue(s.contains("not available"), s);
    assertTrue(s.contains("HNSW not offered yet"), s);
    assertTrue(s.contains("quick-tiny.png"), s);
  }

  @Test
  void ivfRunsGetTheirOwnTablesWithNprobeAndTraining() {
    Results.EngineRun hnsw = new Results.EngineRun("quiver-hnsw", "Java 17");
    hnsw.sweep.add(new Results.Point(64, 0.95, 1000, 2000));
    Results.EngineRun pq = new Results.EngineRun("quiver-ivf-pq", "Java 17");
    pq.trainSeconds = 2.5;
    pq.buildSeconds = 4.0;
    pq.indexBytes = 56_000;
    pq.memoryDelta = 2_000_000;
    pq.n = 1000;
    pq.dim = 384;
    pq.sweep.add(new Results.Point(16, 0.9123, 3000, 5000));
    Results.EngineRun jv = new Results.EngineRun("jvector-pq", "Java 17");
    jv.sweep.add(new Results.Point(40, 0.8, 100, 200));
    BenchMain.Options o = BenchMain.parse(new String[] {"--quick", "--nlist", "64", "--pq-m", "48"});
    Datasets.Prepared d = new Datasets.Prepared("tiny", "a tiny set", Metric.COSINE, dir, 1000, 10, 384);
    String s = Report.datasetSection(new Results.DatasetRun(d, List.of(hnsw, pq, jv)), o, true);
    int ivf = s.indexOf("#### IVF on tiny");
    assertTrue(ivf > 0, s);
    assertTrue(s.indexOf("quiver-hnsw") < ivf && s.indexOf("quiver-ivf-pq") > ivf, "IVF engines only in the IVF part\n" + s);
    assertTrue(s.contains("nlist=64; IVF-PQ with m=48 subspaces of 8 bits (48 bytes of code per vector)"), s);
    assertTrue(s.matches("(?s).*\\| quiver-ivf-pq \\(Java 17\\) \\| +16 \\| +0\\.9123 \\|.*"), s);
    assertTrue(s.contains("beam 40"), s);
    assertTrue(s.contains(" 2.5 |") && s.contains(" 56 |"), "train seconds and index bytes per vector\n" + s);
    assertTrue(s.contains("quick-tiny-ivf.png") && s.contains("quick-tiny.png"), s);
  }

  @Test
  void ivfDefaultsFollowTheDataset() {
    BenchMain.Options o = BenchMain.parse(new String[] {});
    assertEquals(256, o.nlistFor(30_000));
    assertEquals(512, o.nlistFor(60_000));
    assertEquals(1024, o.nlistFor(200_000));
    assertEquals(48, o.pqMFor(384));
    assertEquals(98, o.pqMFor(784));
    assertEquals(16, o.pqMFor(128));
    assertEquals(List.of(1, 2, 4, 8, 16, 32, 64), o.nprobes());
    assertEquals(BenchMain.IVF_ENGINES, BenchMain.parse(new String[] {"--ivf"}).engines);
    assertEquals(8192, BenchMain.ivfTrainingSize(256, 48, 8, 384), "as the engine reports it");
  }

  @Test
  void plotWritesAValidPng() throws Exception {
    Path png = dir.resolve("sub/plot.png");
    RecallQpsPlot.write(png, "test", "QPS", List.of(
        new RecallQpsPlot.Series("a", List.of(new double[] {0.5, 100}, new double[] {0.9, 50}, new double[] {0.99, 5})),
        new RecallQpsPlot.Series("b", List.of(new double[] {0.8, 20000})),
        new RecallQpsPlot.Series("empty — n/a", List.of())));
    byte[] b = Files.readAllBytes(png);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, java.util.Arrays.copyOf(b, 8));
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(1000, img.getWidth());
    assertEquals(650, img.getHeight());
  }

  @Test
  void plotCopesWithNoData() throws Exception {
    Path png = dir.resolve("empty.png");
    RecallQpsPlot.write(png, "nothing", "QPS", List.of());
    assertTrue(ImageIO.read(png.toFile()) != null);
  }

  @Test
  void optionsParse() {
    BenchMain.Options o = BenchMain.parse(new String[] {"--ef", "5,6", "--metric=cosine", "--kernels", "scalar",
        "--filters", "none"});
    assertEquals(List.of(5, 6), o.efs());
    assertEquals(Metric.COSINE, o.metric);
    assertEquals(List.of("scalar"), o.kernels);
    assertTrue(o.filters.isEmpty());
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--bogus"}));
    assertThrows(IllegalArgumentException.class, () -> BenchMain.parse(new String[] {"--base", "x.fvecs"}));
  }
}
