package dev.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

  private static String run(int expectedExit, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    PrintStream originalErr = System.err;
    try {
      PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
      System.setOut(capture);
      System.setErr(capture);
      assertEquals(expectedExit, QuiverCli.run(args));
    } finally {
      System.setOut(original);
      System.setErr(originalErr);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The example module's committed sample of Debian package descriptions (made by scripts/corpus-debian.sh). */
  private static final Path SAMPLE = Path.of("..", "examples", "semantic-search", "src", "test", "resources",
      "debian-sample.jsonl");

  /** The ranked titles printed under a query's heading line. */
  private static List<String> results(String out, String query) {
    return out.lines().dropWhile(l -> !l.startsWith("\"" + query + "\"")).skip(1)
        .takeWhile(l -> l.matches("\\s+\\d+\\s+\\d\\.\\d{3}\\s+.*")).toList();
  }

  @Test
  @DisplayName("the text demo embeds real text on the first run, finds what the questions ask for, and reuses its cache on the second run")
  void textDemo(@TempDir Path cache) throws Exception {
    assertTrue(Files.exists(SAMPLE), SAMPLE.toAbsolutePath().toString());
    // the demo's well-known packages and 20 others: enough to have wrong answers, few enough to embed quickly
    List<String> wellKnown = List.of(TextDemo.WELL_KNOWN.split(","));
    List<String> lines = Files.readAllLines(SAMPLE);
    List<String> subset = new java.util.ArrayList<>(lines.stream()
        .filter(l -> wellKnown.stream().anyMatch(w -> l.startsWith("{\"id\": \"" + w + "\""))).toList());
    lines.stream().filter(l -> !subset.contains(l)).limit(20).forEach(subset::add);
    Path corpus = cache.resolve("corpus.jsonl");
    Files.write(corpus, subset);
    String first = run(0, "demo", "--corpus", corpus.toString(), "--cache-dir", cache.toString());
    assertTrue(first.contains("Embedded and stored " + subset.size() + " documents"), first);
    List<String> web = results(first, "a fast web server that can also act as a reverse proxy");
    assertEquals(5, web.size(), first);
    assertTrue(web.subList(0, 3).stream().anyMatch(l -> l.contains("nginx:") || l.contains("apache2:")), web.toString());
    List<String> photos = results(first, "edit and retouch my photos");
    assertTrue(photos.get(0).contains("gimp:"), photos.toString());
    List<String> traffic = results(first, "capture and inspect network traffic");
    assertTrue(traffic.size() > 1 && traffic.stream().allMatch(l -> l.matches(".*\\snet(\\s.*|$)")), "tag filter net: " + traffic);
    assertTrue(traffic.get(0).contains("tcpdump:") || traffic.get(0).contains("wireshark:"), traffic.toString());
    List<String> db = results(first, "a relational database server");
    assertTrue(db.get(0).contains("postgresql-15:") || db.get(0).contains("mariadb-server:"), db.toString());
    // tenant-scoped queries: answered within their tenant where the engine has tenants, else skipped saying why
    for (String[] q : new String[][] {{"play chess against the computer", "desktop"},
        {"a language for numerical computing like MATLAB", "science"}}) {
      List<String> rows = results(first, q[0]);
      String heading = first.lines().filter(l -> l.startsWith("\"" + q[0])).findFirst().orElseThrow();
      assertTrue(heading.contains("tenant " + q[1]), heading);
      if (rows.isEmpty()) {
        assertTrue(first.contains("skipped: this store has no tenants"), first);
      } else {
        rows.forEach(r -> assertTrue(r.endsWith("· " + q[1]), "a result outside tenant " + q[1] + ": " + r));
      }
    }
    String second = run(0, "demo", "--corpus", corpus.toString(), "--cache-dir", cache.toString());
    assertTrue(second.contains("Using the " + subset.size() + " documents embedded on an earlier run"), second);
    assertEquals(web, results(second, "a fast web server that can also act as a reverse proxy"), "the cached store answers alike");
  }

  @Test
  @DisplayName("--synthetic loads records, runs filtered searches whose hits satisfy their filters, and exits 0")
  void demo() {
    String out = run(0, "demo", "--synthetic", "--records", "800");
    assertTrue(out.contains("Loaded 800 records"), out);
    assertTrue(out.contains("filter: category == 'tech' and year >= 2020"), out);
    List<String> techRows = out.lines()
        .dropWhile(l -> !l.contains("filter: category == 'tech' and year >= 2020"))
        .skip(2).takeWhile(l -> l.matches("\\s+\\d+\\s+article-.*")).toList();
    assertEquals(5, techRows.size(), out);
    for (String row : techRows) {
      assertTrue(row.contains("category='tech'"), row);
      int year = Integer.parseInt(row.replaceAll(".*year=(\\d+).*", "$1"));
      assertTrue(year >= 2020, row);
    }
    assertTrue(out.contains(", 0 matching."), out);
  }

  @Test
  @DisplayName("--help lists the commands; an unknown store scheme fails with the schemes found")
  void helpAndErrors() {
    assertTrue(run(0, "--help").contains("demo"));
    String out = run(1, "demo", "--synthetic", "--store", "nosuch://x");
    assertTrue(out.contains("schemes found on the class path"), out);
    assertTrue(out.contains("memory"), out);
    String missing = run(1, "demo", "--corpus", "/nonexistent/corpus.jsonl");
    assertTrue(missing.contains("/nonexistent/corpus.jsonl") && missing.contains("cannot read"), missing);
    assertTrue(run(0, "serve", "--help").contains("--ingest FILE"), "serve passes its options to the example");
    assertEquals(2, QuiverCli.run("serve", "--port", "http"));
  }
}
