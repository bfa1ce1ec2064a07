package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IVF collections in durable stores: the trained index survives reopening, replay, damage; older stores open. */
class LocalIvfDurableTest {

  @TempDir
  Path root;

  static final CollectionSpec PQ = CollectionSpec.builder("pq").dimension(16).metric(Metric.EUCLIDEAN)
      .index(IndexSpec.ivfPq(16, 4, 6)).build();
  static final CollectionSpec FLAT = CollectionSpec.builder("ivfflat").dimension(16).metric(Metric.COSINE)
      .index(IndexSpec.ivfFlat(16)).build();

  static List<Record> data() {
    return LocalIvfCollectionTest.mixture(3000, 16, 11);
  }

  static List<List<String>> answers(VectorCollection c, List<Record> queries) {
    List<List<String>> out = new ArrayList<>();
    for (Record q : queries) {
      out.add(c.search(SearchRequest.of(q.vector(), 10)).stream().map(Match::id).toList());
      out.add(c.search(SearchRequest.of(q.vector(), 5).filter("bucket < 100").nprobe(2)).stream().map(Match::id).toList());
    }
    return out;
  }

  static void fill(LocalVectorStore s) {
    List<Record> data = data();
    for (CollectionSpec spec : List.of(PQ, FLAT)) {
      VectorCollection c = s.createCollection(spec);
      for (int from = 0; from < data.size(); from += 500) {
        c.upsert(data.subList(from, from + 500));
      }
      List<String> gone = new ArrayList<>();
      for (int i = 0; i < 3000; i += 9) {
        gone.add("r" + i);
      }
      c.delete(gone);
      c.upsert(List.of(data.get(5).withMetadata(dev.quiver.Metadata.of("bucket", 1L))));
      assertTrue(s.indexInfo(spec.name()).trained(), spec + " trained at " + s.indexInfo(spec.name()).trainingSize());
    }
  }

  @Test
  void reopeningRestoresTheTrainedIndexWithoutRetraining() {
    Path dir = root.resolve("reopen");
    List<Record> queries = LocalIvfCollectionTest.mixture(30, 16, 12);
    Map<String, List<List<String>>> before = new TreeMap<>();
    Map<String, LocalIndexInfo> info = new TreeMap<>();
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      fill(s);
      for (CollectionSpec spec : List.of(PQ, FLAT)) {
        before.put(spec.name(), answers(s.collection(spec.name()), queries));
        info.put(spec.name(), s.indexInfo(spec.name()));
      }
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(2, s.ivfReused());
      assertEquals(0, s.ivfRebuilt());
      assertTrue(s.health().isOk(), s.health().toString());
      for (CollectionSpec spec : List.of(PQ, FLAT)) {
        LocalIndexInfo now = s.indexInfo(spec.name());
        LocalIndexInfo then = info.get(spec.name());
        assertEquals(then.trainingMillis(), now.trainingMillis(), "not re-trained");
        assertEquals(then.trainingError(), now.trainingError(), 0.0);
        assertEquals(s.collection(spec.name()).count(), now.entries(), "exactly the live records are indexed");
        assertEquals(before.get(spec.name()), answers(s.collection(spec.name()), queries), spec + ": identical results");
      }
      // and it keeps taking writes, into the restored index
      VectorCollection c = s.collection("pq");
      Record moved = Record.of("new", queries.get(0).vector());
      c.upsert(List.of(moved));
      assertEquals("new", c.search(SearchRequest.of(moved.vector(), 1)).get(0).id());
    }
  }

  @Test
  void replayFromTheLogTrainsTheIndexAgain() {
    Path dir = root.resolve("replay");
    List<Record> queries = LocalIvfCollectionTest.mixture(30, 16, 12);
    List<List<String>> before;
    try (LocalVectorStore s = LocalVectorStore.builder(dir).snapshotOnClose(false).snapshotThresholdBytes(0).open()) {
      fill(s);
      before = answers(s.collection("pq"), queries);
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(0, s.ivfReused() + s.ivfRebuilt(), "no snapshot: everything came from the log");
      LocalIndexInfo info = s.indexInfo("pq");
      assertTrue(info.trained());
      assertEquals(s.collection("pq").count(), info.entries() - info.removedEntries());
      // replay trains at the same point of the same sequence with the same seed: the same index
      assertEquals(before, answers(s.collection("pq"), queries));
    }
  }

  @Test
  void aStoreWrittenBeforeIvfExistedOpens() throws IOException {
    Path dir = root.resolve("old");
    Files.createDirectories(dir);
    Path fixture = Path.of("src/test/resources/stores/before-ivf");
    try (var files = Files.list(fixture)) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertTrue(s.health().isOk(), s.health().toString());
      assertEquals(1, s.graphsReused(), "the old snapshot's HNSW graph is used as saved");
      assertEquals(1, DurableTestAccess.recoveryReport(s).wal().replayed() > 0 ? 1 : 0, "log entries after the snapshot");
      Map<String, Map<String, Record>> want = PreviousVersionStore.expected();
      for (String name : List.of("flat", "hnsw")) {
        Map<String, Record> got = new TreeMap<>();
        s.collection(name).list(ListRequest.of(10_000)).records().forEach(r -> got.put(r.id(), r));
        assertEquals(want.get(name), got, name);
        Record any = want.get(name).values().iterator().next();
        assertEquals(any.id(), s.collection(name).search(SearchRequest.of(any.vector(), 1)).get(0).id());
      }
      fill(s); // the old store takes IVF collections
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(1, s.graphsReused());
      assertEquals(2, s.ivfReused());
      assertEquals(PreviousVersionStore.expected().get("hnsw").size(), s.collection("hnsw").count());
    }
  }

  /** Applies {@code edit} to the snapshot file and fixes its checksum, so only the edited part is wrong. */
  private static void editSnapshot(Path dir, java.util.function.Consumer<byte[]> edit) throws IOException {
    Path snapshot;
    try (var files = Files.list(dir)) {
      snapshot = files.filter(p -> p.getFileName().toString().endsWith(".qsnap")).findFirst().orElseThrow();
    }
    byte[] data = Files.readAllBytes(snapshot);
    edit.accept(data);
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - 4);
    ByteBuffer.wrap(data).putInt(data.length - 4, (int) crc.getValue());
    Files.write(snapshot, data);
  }

  private static int lastIndexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = data.length - pattern.length; i >= 0; i--) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private void assertRetrainedAndReported(Path dir, String why) {
    try (LogCapture log = new LogCapture(); LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(1, s.ivfRebuilt());
      LocalHealth h = s.health();
      assertEquals(LocalHealth.Status.DEGRADED, h.status());
      assertEquals(1, h.events().size(), h.toString());
      LocalHealth.Event e = h.events().get(0);
      assertEquals(LocalHealth.Kind.INDEX_REBUILT, e.kind());
      assertTrue(e.message().contains("IVF index") && e.message().contains(why), e.message());
      assertEquals(List.of(e.message()), log.messages(Level.WARNING));
      VectorCollection c = s.collection("pq");
      assertTrue(s.indexInfo("pq").trained(), "trained again from the records");
      assertEquals(c.count(), s.indexInfo("pq").entries());
      Record r = data().get(7);
      assertEquals("r7", c.search(SearchRequest.of(r.vector(), 1)).get(0).id());
    }
  }

  private static void writeOneIvfCollection(Path dir) {
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      VectorCollection c = s.createCollection(PQ);
      c.upsert(data());
      assertTrue(s.indexInfo("pq").trained());
    }
  }

  @Test
  void anUnreadableSavedIndexIsRetrainedAndReported() throws IOException {
    Path dir = root.resolve("damaged");
    writeOneIvfCollection(dir);
    editSnapshot(dir, data -> {
      int at = lastIndexOf(data, new byte[] {'I', 'V', 'F', 'E'}); // the IVF index's end marker
      assertTrue(at > 0, "the snapshot holds an IVF index");
      data[at + 3] = 'X';
    });
    assertRetrainedAndReported(dir, "marker");
  }

  @Test
  void aMissingSavedIndexIsRetrainedAndReported() throws IOException {
    Path dir = root.resolve("missing");
    writeOneIvfCollection(dir);
    editSnapshot(dir, data -> {
      int at = lastIndexOf(data, new byte[] {3, 'i', 'v', 'f'}); // the blob's name: length, "ivf"
      assertTrue(at > 0, "the snapshot holds the IVF blob");
      data[at + 3] = 'x'; // now a blob this engine does not know: the section has no index
    });
    assertRetrainedAndReported(dir, "no saved index");
  }
}
