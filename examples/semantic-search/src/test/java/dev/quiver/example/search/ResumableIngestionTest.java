package dev.quiver.example.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.ListRequest;
import dev.quiver.Page;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingestion stopped in the middle — by SIGKILL of the process, or by an interrupt — and run again
 * finishes the corpus without writing anything twice: the same records as one uninterrupted run.
 */
class ResumableIngestionTest {

  private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

  @Test
  @DisplayName("kill -9 in the middle of ingestion, run again: it skips the documents done, and the store holds every chunk once")
  void killedAndResumed(@TempDir Path tmp) throws Exception {
    Path state = tmp.resolve("state");
    String store = "local:" + tmp.resolve("store");
    int total = Sample.documents().size();
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--store", store, "--collection", "kb",
        "--state-dir", state.toString(), "--ingest", Sample.path().toString(), "--no-serve");
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
    Path checkpoint = state.resolve("kb-" + SearchApp.fingerprint(store) + ".checkpoint.jsonl");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    int recorded = 0;
    while (recorded < Ingester.BATCH) {               // a batch stored and checkpointed
      assertTrue(child.isAlive(), "the ingesting process ended early: " + Files.readString(tmp.resolve("child.log")));
      assertTrue(System.nanoTime() < deadline, "no progress in 240 s: " + Files.readString(tmp.resolve("child.log")));
      Thread.sleep(50);
      recorded = Files.exists(checkpoint) ? Files.readAllLines(checkpoint, StandardCharsets.UTF_8).size() - 1 : 0;
    }
    child.destroyForcibly();                           // SIGKILL: no shutdown hook, no flush
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    assertTrue(recorded < total, "the process should have been killed before it finished (" + recorded + " of " + total + ")");

    Ingester.Result resumed;
    try (SearchApp app = new SearchApp(store, "kb", state, new CachingEmbedder(), QUIET)) {
      int before = app.checkpoint().size();
      assertTrue(before >= Ingester.BATCH && before < total, "checkpoint after the kill: " + before);
      resumed = app.ingest(Sample.documents(), Ingester.Listener.none());
      assertEquals(before, resumed.skipped(), "the documents the killed run recorded are skipped");
      assertEquals(total - before, resumed.written());
      assertEquals(total, app.checkpoint().size());
      Ingester.Result again = app.ingest(Sample.documents(), Ingester.Listener.none());
      assertEquals(0, again.written(), "a third run has nothing left to do");
    }
    assertStoreHoldsEachChunkOnce(store, "kb");
  }

  @Test
  @DisplayName("an interrupt stops ingestion between batches; the next run finishes it, nothing twice")
  void interruptedAndResumed(@TempDir Path tmp) {
    String store = "local:" + tmp.resolve("store");
    List<Document> docs = Sample.documents();
    try (SearchApp app = new SearchApp(store, "kb", tmp.resolve("state"), new CachingEmbedder(), QUIET)) {
      Ingester.Listener interruptAfterThree = new Ingester.Listener() {
        @Override
        public void started(int toDo, int alreadyDone) {}

        @Override
        public void progress(int done, int total, int chunks) {
          if (done == 3 * Ingester.BATCH) {
            Thread.currentThread().interrupt();
          }
        }
      };
      IllegalStateException stopped = assertThrows(IllegalStateException.class, () -> app.ingest(docs, interruptAfterThree));
      assertTrue(Thread.interrupted(), "the interrupt stays set for the caller");
      assertTrue(stopped.getMessage().contains("run it again"), stopped.getMessage());
      assertEquals(3 * Ingester.BATCH, app.checkpoint().size());
    }
    try (SearchApp app = new SearchApp(store, "kb", tmp.resolve("state"), new CachingEmbedder(), QUIET)) {
      Ingester.Result r = app.ingest(docs, Ingester.Listener.none());
      assertEquals(3 * Ingester.BATCH, r.skipped());
      assertEquals(docs.size() - 3 * Ingester.BATCH, r.written());
    }
    assertStoreHoldsEachChunkOnce(store, "kb");
  }

  /** Lists every record (in every tenant, when there are tenants) and compares with the sample's chunk ids. */
  private static void assertStoreHoldsEachChunkOnce(String storeUri, String collection) {
    List<String> found = new ArrayList<>();
    Set<String> expected = new HashSet<>();
    try (VectorStore store = Quiver.open(storeUri)) {
      VectorCollection c = store.collection(collection);
      boolean tenants = store.describeCollection(collection).multiTenant();
      Set<String> names = new HashSet<>();
      for (Document d : Sample.documents()) {
        names.add(d.tenant());
        // on a single-tenant collection (a backend without tenants) record ids alone name the records
        Chunker.chunk(d).forEach(ch -> expected.add((tenants ? d.tenant() : "") + "/" + ch.recordId()));
      }
      if (tenants) {
        names.forEach(t -> listAll(c.tenant(t), t, found));
      } else {
        listAll(c, "", found);
      }
    }
    assertEquals(expected.size(), found.size(), "records stored (each chunk once)");
    assertEquals(expected, new HashSet<>(found));
  }

  private static void listAll(VectorCollection c, String tenant, List<String> into) {
    Optional<String> cursor = Optional.empty();
    do {
      ListRequest req = ListRequest.of(1000);
      if (cursor.isPresent()) {
        req = req.cursor(cursor.get());
      }
      Page page = c.list(req);
      for (Record r : page.records()) {
        into.add(tenant + "/" + r.id());
      }
      cursor = page.nextCursor();
    } while (cursor.isPresent());
  }
}
