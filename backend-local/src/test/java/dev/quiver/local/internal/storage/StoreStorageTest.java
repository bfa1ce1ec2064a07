package dev.quiver.local.internal.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.StorageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreStorageTest {

  @TempDir
  Path dir;

  static final CollectionSpec SPEC = CollectionSpec.builder("docs").dimension(3).metric(Metric.EUCLIDEAN)
      .index(IndexSpec.hnsw(8, 50)).build();

  static Record rec(int i) {
    return Record.of("r" + i, new float[] {i, -i, 0.5f * i}, Metadata.of("i", i, "tag", "t" + (i % 3)));
  }

  private List<String> files() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void snapshotPlusWalRecoversEverythingAndDropsCoveredSegments() throws Exception {
    StorageOptions options = StorageOptions.defaults().withMaxSegmentBytes(1024);
    Recorder live = new Recorder();
    try (StoreStorage s = StoreStorage.open(dir, options, new Recorder())) {
      Operation create = new Operation.CreateCollection(SPEC);
      s.append(create);
      live.apply(create);
      for (int i = 0; i < 40; i++) {
        Operation op = new Operation.Upsert("docs", List.of(rec(i)));
        s.append(op);
        live.apply(op);
      }
      long segmentsBefore = s.wal().segmentFiles().size();
      assertTrue(segmentsBefore > 2);
      Path snap = s.snapshot(s.lastSequence(), live::writeTo);
      assertTrue(Files.exists(snap));
      assertEquals(1, s.wal().segmentFiles().size(), "covered segments are deleted: " + files());
      // Writes after the snapshot land in the WAL only.
      List<Operation> after = List.of(new Operation.Delete("docs", List.of("r1", "r2")),
          new Operation.UpdateMetadata("docs", "r3", Metadata.of("updated", true)),
          new Operation.Upsert("docs", List.of(rec(100))));
      for (Operation op : after) {
        s.append(op);
        live.apply(op);
      }
    }
    Recorder got = new Recorder();
    try (StoreStorage s = StoreStorage.open(dir, options, got)) {
      assertEquals(41, got.snapshotSequence);
      assertEquals(List.of(42L, 43L, 44L), got.sequences, "only operations after the snapshot are replayed");
      assertEquals(live.records, got.records);
      assertEquals(SPEC, got.specs.get("docs"));
      assertArrayEquals("count=40".getBytes(StandardCharsets.UTF_8), got.blobs.get("docs/info"));
      assertEquals(44, s.lastSequence());

      // A second snapshot replaces the first.
      s.snapshot(s.lastSequence(), got::writeTo);
    }
    assertEquals(1, files().stream().filter(f -> f.startsWith("snapshot-")).count(), files().toString());
    Recorder third = new Recorder();
    StoreStorage.open(dir, options, third).close();
    assertEquals(live.records, third.records);
    assertTrue(third.sequences.isEmpty());
  }

  @Test
  void snapshotWhileWritesContinueCoversOnlyItsSequence() {
    StorageOptions options = StorageOptions.defaults();
    Recorder live = new Recorder();
    try (StoreStorage s = StoreStorage.open(dir, options, new Recorder())) {
      s.append(new Operation.CreateCollection(SPEC));
      live.apply(new Operation.CreateCollection(SPEC));
      s.append(new Operation.Upsert("docs", List.of(rec(1))));
      live.apply(new Operation.Upsert("docs", List.of(rec(1))));
      long covered = s.lastSequence();
      Recorder frozen = new Recorder();
      frozen.collection(SPEC);
      frozen.records.get("docs").putAll(live.records.get("docs"));
      s.append(new Operation.Upsert("docs", List.of(rec(2))));
      live.apply(new Operation.Upsert("docs", List.of(rec(2))));
      s.snapshot(covered, frozen::writeTo);
    }
    Recorder got = new Recorder();
    StoreStorage.open(dir, options, got).close();
    assertEquals(List.of(3L), got.sequences);
    assertEquals(live.records, got.records);
  }

  @Test
  void damagedSnapshotIsReportedWithItsName() throws Exception {
    StorageOptions options = StorageOptions.defaults();
    Path snap;
    try (StoreStorage s = StoreStorage.open(dir, options, new Recorder())) {
      s.append(new Operation.CreateCollection(SPEC));
      Recorder state = new Recorder();
      state.collection(SPEC);
      snap = s.snapshot(s.lastSequence(), state::writeTo);
    }
    byte[] data = Files.readAllBytes(snap);
    data[data.length / 2] ^= 1;
    Files.write(snap, data);
    StorageException e = assertThrows(StorageException.class, () -> StoreStorage.open(dir, options, new Recorder()));
    assertTrue(e.getMessage().contains(snap.getFileName().toString()), e.getMessage());
    // The failed open released the lock: fixing the file makes the store openable again.
    data[data.length / 2] ^= 1;
    Files.write(snap, data);
    StoreStorage.open(dir, options, new Recorder()).close();
  }

  @Test
  void leftoversOfAnInterruptedSnapshotAreRemoved() throws Exception {
    StorageOptions options = StorageOptions.defaults();
    StoreStorage.open(dir, options, new Recorder()).close();
    Files.write(dir.resolve("snapshot-00000000000000000009.qsnap.tmp"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("snapshot-00000000000000000009.qsnap"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("MANIFEST.tmp"), new byte[] {1});
    StoreStorage.open(dir, options, new Recorder()).close();
    assertTrue(files().stream().noneMatch(f -> f.startsWith("snapshot-") || f.endsWith(".tmp")), files().toString());
  }

  @Test
  void theSameDirectoryCannotBeOpenedTwice() {
    StorageOptions options = StorageOptions.defaults();
    try (StoreStorage s = StoreStorage.open(dir, options, new Recorder())) {
      StorageException e = assertThrows(StorageException.class, () -> StoreStorage.open(dir, options, new Recorder()));
      assertTrue(e.getMessage().contains("already open"), e.getMessage());
    }
    StoreStorage.open(dir, options, new Recorder()).close();
  }

  @Test
  void pathsNeverLeaveTheStoreDirectory() {
    try (StoreStorage s = StoreStorage.open(dir, StorageOptions.defaults(), new Recorder())) {
      assertEquals(s.directory().resolve("collections").resolve("docs"), s.collectionDirectory("docs"));
      for (String evil : List.of("../x", "..", "a/../../b", "/etc", "a/b", "")) {
        assertThrows(InvalidArgumentException.class, () -> s.collectionDirectory(evil), evil);
      }
      Path root = s.directory();
      assertThrows(StorageException.class, () -> StoreStorage.inside(root, "../escape"));
      assertThrows(StorageException.class, () -> StoreStorage.inside(root, "/etc/passwd"));
      assertThrows(StorageException.class, () -> StoreStorage.inside(root, "."));
    }
  }

  @Test
  void aSnapshotMustNotClaimMoreThanWasWritten() {
    try (StoreStorage s = StoreStorage.open(dir, StorageOptions.defaults(), new Recorder())) {
      s.append(new Operation.CreateCollection(SPEC));
      assertThrows(InvalidArgumentException.class, () -> s.snapshot(2, w -> {}));
      assertFalse(Files.exists(dir.resolve(Manifest.NAME)));
    }
  }
}
