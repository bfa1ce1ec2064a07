package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.StorageException;
import dev.quiver.VectorCollection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.logging.Level;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage found when a durable store opens is loud: a damaged log entry refuses to open unless recovery
 * by truncation is asked for (which then reports the loss), a torn tail is dropped and logged, an
 * unusable saved graph is rebuilt and reported. See also {@code StoreFaultInjectionTest} for failed
 * background snapshots.
 */
class LocalRecoveryHealthTest {

  @TempDir
  Path dir;

  static final CollectionSpec FLAT = CollectionSpec.builder("c").dimension(4).metric(Metric.EUCLIDEAN).build();

  /** Segment header: file header (8), first sequence (8), CRC (4); see docs/storage-format.md. */
  static final int SEGMENT_HEADER = 20;
  /** Entry frame around the payload: length (4), sequence (8), durable (8) | payload | CRC (4). */
  static final int ENTRY_HEADER = 20;
  static final int ENTRY_OVERHEAD = 24;

  static Record rec(int i) {
    return Record.of("a" + i, new float[] {i, 1, 2, 3});
  }

  /** Log-only store: entry 1 creates the collection, entries 2..11 upsert a0..a9. */
  private void writeLog() {
    try (LocalVectorStore s = LocalVectorStore.builder(dir).snapshotOnClose(false).snapshotThresholdBytes(0).open()) {
      VectorCollection c = s.createCollection(FLAT);
      for (int i = 0; i < 10; i++) {
        c.upsert(List.of(rec(i)));
      }
    }
  }

  private Path segmentWithEntries() throws IOException {
    try (var files = Files.list(dir)) {
      List<Path> segs = files.filter(p -> p.getFileName().toString().startsWith("wal-")).sorted().toList();
      for (Path p : segs) {
        if (Files.size(p) > SEGMENT_HEADER + 16) { // more than a header and a footer
          return p;
        }
      }
    }
    throw new AssertionError("no segment with entries in " + dir);
  }

  /** @return the byte offset of the {@code n}th entry (1-based) of a segment */
  private static int entryOffset(byte[] seg, int n) {
    int pos = SEGMENT_HEADER;
    for (int i = 1; i < n; i++) {
      pos += ENTRY_OVERHEAD + ByteBuffer.wrap(seg, pos, 4).getInt();
    }
    return pos;
  }

  private static List<String> ids(VectorCollection c) {
    List<String> out = new ArrayList<>();
    c.list(ListRequest.of(100)).records().forEach(r -> out.add(r.id()));
    return out;
  }

  private static List<String> idsUpTo(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("a" + i);
    }
    return out;
  }

  /** Flips a payload byte of entry 6 (the upsert of a4); returns its offset. */
  private int damageEntry6(Path seg) throws IOException {
    byte[] data = Files.readAllBytes(seg);
    int offset = entryOffset(data, 6);
    data[offset + ENTRY_HEADER + 1] ^= 0x20;
    Files.write(seg, data);
    return offset;
  }

  @Test
  void aFlippedByteMidLogIsRefusedNamingFileAndOffset() throws Exception {
    writeLog();
    Path seg = segmentWithEntries();
    int offset = damageEntry6(seg);
    StorageException e = assertThrows(StorageException.class, () -> LocalVectorStore.open(dir));
    assertTrue(e.getMessage().contains(seg.getFileName().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("byte offset " + offset), e.getMessage());
    assertTrue(e.getMessage().contains("recover=truncate"), "says how to open anyway: " + e.getMessage());
    assertThrows(StorageException.class, () -> Quiver.open("local:" + dir));
    assertThrows(StorageException.class, () -> Quiver.open("local:" + dir + "?recover=strict"));
    assertThrows(InvalidArgumentException.class, () -> Quiver.open("local:" + dir + "?recover=maybe"));
    // refusing changed nothing: the damage is still there to be recovered deliberately
    assertThrows(StorageException.class, () -> LocalVectorStore.open(dir));
  }

  @Test
  void recoverTruncateOpensAndReportsTheLostEntries() throws Exception {
    writeLog();
    Path seg = segmentWithEntries();
    int offset = damageEntry6(seg);
    try (LogCapture log = new LogCapture();
        LocalVectorStore s = (LocalVectorStore) Quiver.open("local:" + dir + "?recover=truncate")) {
      LocalHealth h = s.health();
      assertEquals(LocalHealth.Status.DEGRADED, h.status(), h.toString());
      assertEquals(1, h.events().size(), h.toString());
      LocalHealth.Event ev = h.events().get(0);
      assertEquals(LocalHealth.Kind.LOG_TRUNCATED, ev.kind());
      assertTrue(ev.message().contains("6 entries were lost"), ev.message()); // entries 6..11: a4..a9
      assertTrue(ev.message().contains(seg.getFileName().toString()) && ev.message().contains("byte offset " + offset),
          ev.message());
      assertEquals(List.of(ev.message()), log.messages(Level.WARNING));
      VectorCollection c = s.collection("c");
      assertEquals(idsUpTo(4), ids(c));
      c.upsert(List.of(rec(42)));
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(LocalHealth.Status.OK, s.health().status(), "the truncated log is clean: " + s.health());
      List<String> want = idsUpTo(4);
      want.add("a42");
      assertEquals(want, ids(s.collection("c")));
    }
  }

  @Test
  void aTornTailIsDroppedWithoutComplaintButLogged() throws Exception {
    writeLog();
    Path seg = segmentWithEntries();
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 5); // into the last entry, as a kill mid-append leaves it
    }
    try (LogCapture log = new LogCapture(); LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(new LocalHealth(LocalHealth.Status.OK, List.of()), s.health());
      assertEquals(idsUpTo(9), ids(s.collection("c")), "only the torn write is gone");
      List<String> info = log.messages(Level.INFO);
      assertEquals(1, info.size(), info.toString());
      assertTrue(info.get(0).contains("torn"), info.get(0));
      assertEquals(List.of(), log.messages(Level.WARNING));
    }
  }

  /** An HNSW store with 300 records, closed (which writes a snapshot with the graph); returns the records. */
  private List<Record> writeGraphSnapshot() {
    CollectionSpec spec = CollectionSpec.builder("g").dimension(8).metric(Metric.COSINE).index(IndexSpec.hnsw(8, 40)).build();
    Random rnd = new Random(3);
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      float[] v = new float[8];
      for (int d = 0; d < v.length; d++) {
        v[d] = (float) rnd.nextGaussian();
      }
      records.add(Record.of("r" + i, v));
    }
    try (LocalVectorStore s = LocalVectorStore.open(dir)) {
      s.createCollection(spec).upsert(records);
    }
    return records;
  }

  /** Applies {@code edit} to the snapshot file and fixes its checksum, so only the edited part is wrong. */
  private void editSnapshot(java.util.function.Consumer<byte[]> edit) throws IOException {
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

  private void assertRebuiltAndReported(List<Record> records, String why) {
    try (LogCapture log = new LogCapture(); LocalVectorStore s = LocalVectorStore.open(dir)) {
      assertEquals(1, s.graphsRebuilt());
      assertEquals(0, s.graphsReused());
      LocalHealth h = s.health();
      assertEquals(LocalHealth.Status.DEGRADED, h.status());
      assertEquals(1, h.events().size(), h.toString());
      assertEquals(LocalHealth.Kind.INDEX_REBUILT, h.events().get(0).kind());
      assertTrue(h.events().get(0).message().contains("'g'") && h.events().get(0).message().contains(why),
          h.events().get(0).message());
      assertEquals(List.of(h.events().get(0).message()), log.messages(Level.WARNING));
      VectorCollection g = s.collection("g");
      assertEquals(300, g.count());
      assertEquals("r7", g.search(SearchRequest.of(records.get(7).vector(), 1)).get(0).id());
    }
  }

  @Test
  void anUnreadableSavedGraphIsRebuiltAndReported() throws Exception {
    List<Record> records = writeGraphSnapshot();
    editSnapshot(data -> {
      int at = indexOf(data, new byte[] {'Q', 'H', 'N', 'S', 0, 0, 0, 1}); // graph magic, format version 1
      assertTrue(at > 0, "the snapshot holds a graph");
      data[at + 7] = 99; // a graph format version this build does not read
    });
    assertRebuiltAndReported(records, "version 99");
  }

  @Test
  void aMissingSavedGraphIsRebuiltAndReported() throws Exception {
    List<Record> records = writeGraphSnapshot();
    editSnapshot(data -> {
      int at = indexOf(data, new byte[] {4, 'h', 'n', 's', 'w'}); // the blob's name: length, "hnsw"
      assertTrue(at > 0, "the snapshot holds the graph blob");
      data[at + 4] = 'x'; // now a blob this engine does not know: the section has no graph
    });
    assertRebuiltAndReported(records, "no saved graph");
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void anInMemoryStoreIsAlwaysHealthy() {
    try (LocalVectorStore s = LocalVectorStore.inMemory()) {
      assertTrue(s.health().isOk());
      assertEquals(List.of(), s.health().events());
    }
  }
}
