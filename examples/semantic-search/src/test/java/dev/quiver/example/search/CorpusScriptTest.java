package dev.quiver.example.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/corpus-debian.sh on this machine's apt lists (fetching Translation-en once, privately, when they lack it). */
class CorpusScriptTest {

  @Test
  @DisplayName("corpus-debian.sh writes sorted, well-formed documents of the size asked, with the packages named by --include")
  void script(@TempDir Path tmp) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
      System.out.println("CorpusScriptTest: SKIPPED, no apt-get here: the corpus script reads Debian's apt lists");
      Assumptions.abort("no apt-get: not a Debian system");
    }
    Path script = Path.of("..", "..", "scripts", "corpus-debian.sh").toAbsolutePath().normalize();
    Path out = tmp.resolve("corpus.jsonl");
    Process p = new ProcessBuilder("bash", script.toString(), "--size", "25", "--min-length", "300", "--include", "nginx",
        "--out", out.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), log);
    List<Document> docs = CorpusReader.read(out);
    assertTrue(docs.size() == 25 || docs.size() == 26, docs.size() + " documents; " + log);
    List<String> ids = new ArrayList<>(docs.stream().map(Document::id).toList());
    List<String> sorted = new ArrayList<>(ids);
    sorted.sort(null);
    assertEquals(sorted, ids, "sorted by id");
    assertEquals(ids.size(), Set.copyOf(ids).size(), "no id twice");
    Set<String> tenants = Set.of("programming", "system", "desktop", "science", "contrib", "non-free", "non-free-firmware");
    for (Document d : docs) {
      assertTrue(tenants.contains(d.tenant()), d.tenant());
      assertEquals(1, d.tags().size(), d.toString());
      assertTrue(d.title().startsWith(d.id() + ": "), d.title());
      if (!d.id().equals("nginx")) {
        assertTrue(d.content().length() >= 300, d.id() + ": " + d.content().length());
      }
    }
    Document nginx = docs.stream().filter(d -> d.id().equals("nginx")).findFirst().orElseThrow();
    assertEquals(List.of("httpd"), nginx.tags());
    assertEquals("system", nginx.tenant());
    assertTrue(nginx.content().toLowerCase().contains("reverse proxy"), nginx.content());
  }
}
