package dev.quiver.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole comparison on a small dataset over every backend this run can reach: the embedded
 * engine in memory and durable on disk, Milvus Lite, real Milvus and the Qdrant engine server (when
 * scripts/test.sh started them), the Pinecone emulator, a deliberately wrong store and an unreachable
 * one. Then the reports, and the HTML in a real headless browser.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompareEndToEndTest {

  private static final String UNREACHABLE = "qdrant://127.0.0.1:1?maxAttempts=1&timeoutMs=500";

  private Path tmp;

  private PineconeEmulator pinecone;
  private Report report;
  private Map<String, Report.Backend> byLabel;
  private final List<String> servers = new ArrayList<>();
  private Path out;

  @BeforeAll
  void runComparison(@TempDir Path dir) throws Exception {
    tmp = dir;
    pinecone = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES);
    Path data = TestData.jsonLines(tmp.resolve("items.jsonl"), 2000, 16, 7);
    Dataset dataset = DatasetReader.read(data, null, null, Metric.COSINE, 30, 0, 42);
    CompareOptions.Builder o = CompareOptions.builder().dataset(dataset)
        .store("memory", "memory:")
        .store("local-durable", "local:" + tmp.resolve("durable"))
        .store("lossy", "lossy:")
        .store("unreachable", UNREACHABLE)
        .store("pinecone-emulator", pinecone.storeUri())
        .index(IndexSpec.hnsw(8, 64)).searchesPerLevel(40).randomFilters(8).probes(3)
        .command("CompareEndToEndTest");
    for (String[] server : new String[][] {{"milvus-lite", "QUIVER_MILVUS_URI"},
        {"milvus-2.3", "QUIVER_MILVUS_SERVER_URI"}, {"qdrant", "QUIVER_QDRANT_URL"}}) {
      String uri = System.getenv(server[1]);
      if (uri == null || uri.isBlank()) {
        System.out.println("CompareEndToEndTest: " + server[0] + " left out: " + server[1]
            + " is not set (scripts/test.sh starts it)");
      } else {
        o.store(server[0], uri);
        servers.add(server[0]);
      }
    }
    report = Comparison.run(o.build(), new Progress(System.out, false));
    byLabel = report.backends().stream().collect(Collectors.toMap(Report.Backend::label, Function.identity()));
    out = tmp.resolve("report");
    ReportWriter.write(report, out);
    Path keep = Path.of("target", "compare-report");
    ReportWriter.write(report, keep);
    System.out.println("CompareEndToEndTest: report in " + keep.toAbsolutePath());
  }

  @AfterAll
  void stopEmulator() {
    if (pinecone != null) {
      pinecone.close();
    }
  }

  private List<String> correctStores() {
    List<String> labels = new ArrayList<>(List.of("memory", "local-durable", "pinecone-emulator"));
    labels.addAll(servers);
    return labels;
  }

  @Test
  void everyRealBackendIsMeasuredAndAgreesWithTheReferenceEvaluator() {
    for (String label : correctStores()) {
      Report.Backend b = byLabel.get(label);
      assertEquals(Report.MEASURED, b.status(), label + ": " + b.error());
      assertTrue(b.filters().size() >= 20, label + " checked " + b.filters().size() + " filters");
      for (Report.FilterCheck f : b.filters()) {
        assertTrue(f.passed(), label + " disagrees on " + f);
      }
      assertTrue(b.scores().compared() > 0 && b.scores().agrees(), label + " scores: " + b.scores());
      assertTrue(b.correct(), label);
      // 3 levels (1, 4, 16) without and with filters
      assertEquals(6, b.runs().size(), label + " runs: " + b.runs());
      for (Report.SearchRun r : b.runs()) {
        assertEquals(0, r.errors(), label + " " + r);
        assertTrue(r.recall() > 0.8, label + " recall " + r);
        assertEquals(21, r.quantilesMs().size());
      }
      assertEquals(1970, b.ingest().records());
    }
  }

  @Test
  void theWrongBackendShowsUpRedInTheCorrectnessColumns() throws Exception {
    Report.Backend lossy = byLabel.get("lossy");
    assertEquals(Report.MEASURED, lossy.status());
    assertFalse(lossy.correct());
    assertTrue(lossy.filters().stream().anyMatch(f -> !f.countOk()), "count");
    assertTrue(lossy.filters().stream().anyMatch(f -> f.listMissing() > 0), "list");
    assertTrue(lossy.filters().stream().anyMatch(f -> !f.searchOk()), "search");
    String html = Files.readString(out.resolve(ReportWriter.HTML), StandardCharsets.UTF_8);
    int row = html.indexOf("<tr><td>lossy</td><td>local</td>");
    assertTrue(row > 0, "summary row of the lossy store");
    assertTrue(html.substring(row, html.indexOf("</tr>", row)).contains("class=\"bad\""));
    String md = Files.readString(out.resolve(ReportWriter.MARKDOWN), StandardCharsets.UTF_8);
    assertTrue(md.lines().anyMatch(l -> l.startsWith("| lossy | local | **✗")), md);
  }

  @Test
  void anUnreachableBackendIsReportedNotRunWhileTheOthersAreMeasured() throws Exception {
    Report.Backend down = byLabel.get("unreachable");
    assertEquals(Report.NOT_RUN, down.status());
    assertFalse(down.error().isEmpty());
    assertFalse(down.correct());
    assertTrue(down.runs().isEmpty() && down.filters().isEmpty());
    JsonNode json = new ObjectMapper().readTree(out.resolve(ReportWriter.JSON).toFile());
    JsonNode entry = json.get("backends").get(3);
    assertEquals("not run", entry.get("status").asText());
    assertFalse(entry.get("correct").asBoolean());
    String md = Files.readString(out.resolve(ReportWriter.MARKDOWN), StandardCharsets.UTF_8);
    assertTrue(md.lines().anyMatch(l -> l.startsWith("| unreachable | ") && l.contains("| **✗ NOT RUN: ")), md);
  }

  @Test
  void eventuallyConsistentBackendsGetTimeToSearchableAndVendorStoresTheirOverhead() {
    Report.Ingest ingest = byLabel.get("pinecone-emulator").ingest();
    assertEquals("EVENTUAL", byLabel.get("pinecone-emulator").consistency());
    assertNotNull(ingest.timeToSearchableMs());
    assertNull(byLabel.get("memory").ingest().timeToSearchableMs());
    assertTrue(byLabel.get("pinecone-emulator").deviations().stream().anyMatch(d -> d.support().equals("EMULATED")));
    for (String label : servers) {
      Report.Overhead o = byLabel.get(label).overhead();
      assertNotNull(o, label + " overhead: " + byLabel.get(label).notes());
      assertEquals(40, o.searches());
      // both asked for the same top-k; ties at the k-th place may be broken differently (float32 vs double)
      assertTrue(o.sameIds() >= o.searches() * 9 / 10, label + " " + o);
      System.out.printf("CompareEndToEndTest: %s overhead at p50 %+.1f %% (Quiver %.3f ms, %s %.3f ms)%n", label,
          o.overheadP50Percent(), o.quiverP50Ms(), o.sdk(), o.directP50Ms());
    }
    assertNull(byLabel.get("memory").overhead());
  }

  @Test
  void theReportCarriesWhatIsNeededToReproduceIt() throws Exception {
    assertEquals(64, report.dataset().sha256().length());
    assertEquals(30, report.dataset().queries());
    assertEquals(List.of("category", "in_stock", "price", "rating", "tags", "year"), report.dataset().metadataKeys());
    assertFalse(report.reproducibility().quiverVersion().contains("${"));
    assertTrue(report.reproducibility().sdkVersions().values().stream().noneMatch(v -> v.contains("${")));
    assertTrue(report.reproducibility().cores() > 0);
    String md = Files.readString(out.resolve(ReportWriter.MARKDOWN), StandardCharsets.UTF_8);
    assertTrue(md.contains(report.dataset().sha256()));
    String html = Files.readString(out.resolve(ReportWriter.HTML), StandardCharsets.UTF_8);
    assertFalse(html.contains("<script src"), "no external scripts");
    assertFalse(html.contains("<link"), "no external styles or fonts");
  }

  @Test
  void theHtmlRendersItsChartsInAHeadlessBrowser() throws Exception {
    BrowserCheck.Result r = BrowserCheck.render(out.resolve(ReportWriter.HTML), tmp.resolve("browser"));
    assertEquals("", r.errors(), "script errors in the page");
    assertEquals(4, r.chartsRendered(), r.dom().length() > 2000 ? r.dom().substring(0, 2000) : r.dom());
    assertEquals(4, r.canvases());
    assertEquals(4, r.paintedCanvases(), "canvases with pixels drawn");
  }
}
