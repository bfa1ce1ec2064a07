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
