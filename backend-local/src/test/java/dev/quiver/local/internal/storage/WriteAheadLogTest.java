package dev.quiver.local.internal.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WriteAheadLogTest {

  @TempDir
  Path dir;

  private final StorageOptions sync = StorageOptions.defaults().withGroupCommit(false);

  private static byte[] payload(long i) {
    return ("entry-" + i + "-" + "x".repeat((int) (i % 37))).getBytes(StandardCharsets.UTF_8);
  }

  private WriteAheadLog open(StorageOptions options, Map<Long, byte[]> into) {
    return WriteAheadLog.open(options.io(), dir, 0, options, (seq, p) -> {
      if (into.put(seq, p) != null) {
        throw new AssertionError("entry " + seq + " replayed twice");
      }
    });
  }

  private Map<Long, byte[]> replay(StorageOptions options) {
    Map<Long, byte[]> got = new TreeMap<>();
    open(options, got).close();
    return got;
  }

  private static void assertEntries(Map<Long, byte[]> got, long count) {
    assertEquals(count, got.size());
    for (long i = 1; i <= count; i++) {
      assertArrayEquals(payload(i), got.get(i), "entry " + i);
    }
  }

  /** The single segment holding entries (after one reopen there is also a new, empty one). */
  private Path onlySegmentWithEntries() throws IOException {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("wal-"))
          .filter(p -> {
            try {
              return Files.size(p) > WriteAheadLog.SEGMENT_HEADER_SIZE;
            } catch (IOException e) {
              throw new RuntimeException(e);
            }
          })
          .reduce((a, b) -> {
            throw new AssertionError("more than one segment with entries: " + a + ", " + b);
          }).orElseThrow();
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void appendedEntriesReplayInOrderAfterReopen(boolean groupCommit) {
    StorageOptions options = sync.withGroupCommit(groupCommit);
    try (WriteAheadLog wal = open(options, new TreeMap<>())) {
      for (long i = 1; i <= 50; i++) {
        assertEquals(i, wal.append(payload(i)));
      }
      assertEquals(50, wal.durableSequence());
    }
    Map<Long, byte[]> got = new TreeMap<>();
    try (WriteAheadLog wal = open(options, got)) {
      assertEntries(got, 50);
      assertEquals(51, wal.append(payload(51)), "sequence numbers continue after reopen");
    }
    assertEntries(replay(options), 51);
  }

  @Test
  void tornTailIsDroppedAndTruncated() throws Exception {
    try (WriteAheadLog wal = open(sync, new TreeMap<>())) {
      for (long i = 1; i <= 10; i++) {
        wal.append(payload(i));
      }
    }
    Path seg = onlySegmentWithEntries();
    long size = Files.size(seg);
    int lastEntry = WriteAheadLog.ENTRY_OVERHEAD + payload(10).length;
    // Every way of cutting into the last entry loses exactly that entry.
    for (int cut = 1; cut < lastEntry; cut += 3) {
      Path copy = Files.createTempDirectory(dir.getParent(), "torn");
      Files.copy(seg, copy.resolve(seg.getFileName()));
      try (FileChannel ch = FileChannel.open(copy.resolve(seg.getFileName()), StandardOpenOption.WRITE)) {
        ch.truncate(size - cut);
      }
      Map<Long, byte[]> got = new TreeMap<>();
      try (WriteAheadLog wal = WriteAheadLog.open(sync.io(), copy, 0, sync, got::put)) {
        assertEquals(9, wal.lastSequence());
        assertTrue(wal.recoveryReport().truncatedBytes() > 0);
        assertNotNull(wal.recoveryReport().truncatedReason());
        assertEquals(10, wal.append(payload(10)), "the dropped sequence is reused by the next append");
      }
      assertEntries(got, 9);
      Map<Long, byte[]> again = new TreeMap<>();
      WriteAheadLog.open(sync.io(), copy, 0, sync, again::put).close();
      assertEntries(again, 10);
    }
  }

  @Test
  void garbageAfterTheLastEntryIsATornTail() throws Exception {
    try (WriteAheadLog wal = open(sync, new TreeMap<>())) {
      for (long i = 1; i <= 5; i++) {
        wal.append(payload(i));
      }
    }
    Path seg = onlySegmentWithEntries();
    // A crash can leave zeros (size extended, data lost) or a half-written frame.
    Files.write(seg, new byte[4096], StandardOpenOption.APPEND);
    assertEntries(replay(sync), 5);
  }

  @Test
  void corruptionInTheMiddleFollowedByValidEntriesFailsLoudly() throws Exception {
    try (WriteAheadLog wal = open(sync, new TreeMap<>())) {
      for (long i = 1; i <= 10; i++) {
        wal.append(payload(i));
      }
    }
    Path seg = onlySegmentWithEntries();
    byte[] data = Files.readAllBytes(seg);
    long offset = WriteAheadLog.SEGMENT_HEADER_SIZE;
    for (long i = 1; i < 4; i++) {
      offset += WriteAheadLog.ENTRY_OVERHEAD + payload(i).length;
    }
    // Damage entry 4's payload, then (separately) its length field.
    for (int delta : new int[] {WriteAheadLog.ENTRY_HEADER_SIZE + 2, 1}) {
      byte[] bad = data.clone();
      bad[(int) offset + delta] ^= 0x5A;
      Files.write(seg, bad);
      StorageException e = assertThrows(StorageException.class, () -> replay(sync));
      assertTrue(e.getMessage().contains(seg.getFileName().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("entry 4"), e.getMessage());
    }
    Files.write(seg, data);
    assertEntries(replay(sync), 10);
  }

  /** A hand-made entry frame, as {@link WriteAheadLog#write} frames them. */
  private static byte[] frame(long seq, long durable, byte[] payload, boolean damaged) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(WriteAheadLog.ENTRY_OVERHEAD + payload.length);
    b.putInt(payload.length).putLong(seq).putLong(durable).put(payload);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b.array(), 0, WriteAheadLog.ENTRY_HEADER_SIZE + payload.length);
    b.putInt((int) crc.getValue() ^ (damaged ? 1 : 0));
    return b.array();
  }

  /**
   * Under group commit a crash can persist a later entry of an unsynced batch and lose an earlier
   * one. The later entry's {@code durable} field tells the two cases apart.
   */
  @Test
  void aDamagedEntryIsATornTailUnlessALaterEntryProvesItWasDurable() throws Exception {
    try (WriteAheadLog wal = open(sync, new TreeMap<>())) {
      for (long i = 1; i <= 3; i++) {
        wal.append(payload(i));
      }
    }
    Path seg = onlySegmentWithEntries();
    byte[] base = Files.readAllBytes(seg);
    java.io.ByteArrayOutputStream unsynced = new java.io.ByteArrayOutputStream();
    unsynced.write(base);
    unsynced.write(frame(4, 3, payload(4), true)); // lost half of an unsynced batch
    unsynced.write(frame(5, 3, payload(5), false)); // same batch, persisted: durable says 4 was not yet synced
    Files.write(seg, unsynced.toByteArray());
    assertEntries(replay(sync), 3);

    // Back to the state before that recovery (which sealed the segment and started another).
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(p -> !p.equals(seg) && p.getFileName().toString().startsWith("wal-")).toList()) {
        Files.delete(p);
      }
    }
    java.io.ByteArrayOutputStream proven = new java.io.ByteArrayOutputStream();
    proven.write(base);
    proven.write(frame(4, 3, payload(4), true));
    proven.write(frame(5, 4, payload(5), false)); // written after 4 was durable: 4's damage is not a crash
    Files.write(seg, proven.toByteArray());
    StorageException e = assertThrows(StorageException.class, () -> replay(sync));
    assertTrue(e.getMessage().contains("entry 4") && e.getMessage().contains("corruption"), e.getMessage());
  }

  @Test
  void segmentsRollAndADamagedSealedSegmentOrAGapIsFatal() throws Exception {
    StorageOptions small = sync.withMaxSegmentBytes(1024);
    try (WriteAheadLog wal = open(small, new TreeMap<>())) {
      for (long i = 1; i <= 200; i++) {
        wal.append(payload(i));
      }
      assertTrue(wal.segmentFiles().size() > 5, "rolled into " + wal.segmentFiles());
    }
    assertEntries(replay(small), 200);

    List<Path> segs = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().startsWith("wal-")).sorted().forEach(segs::add);
    }
    Path middle = segs.get(2);
    byte[] data = Files.readAllBytes(middle);
    byte[] bad = data.clone();
    bad[bad.length - 20] ^= 1;
    Files.write(middle, bad);
    StorageException damaged = assertThrows(StorageException.class, () -> replay(small));
    assertTrue(damaged.getMessage().contains(middle.getFileName().toString()), damaged.getMessage());

    Files.delete(middle);
    StorageException gap = assertThrows(StorageException.class, () -> replay(small));
    assertTrue(gap.getMessage().contains("gap"), gap.getMessage());
  }

  @Test
  void groupCommitWithConcurrentAppendersLosesNothing() throws Exception {
    StorageOptions group = StorageOptions.defaults().withMaxSegmentBytes(64 * 1024);
    int threads = 8;
    int perThread = 250;
    Map<Long, String> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
    try (WriteAheadLog wal = open(group, new TreeMap<>())) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            String text = "t" + id + "-" + i;
            long seq = wal.append(text.getBytes(StandardCharsets.UTF_8));
            // The acknowledged entry must already be durable when append returns.
            assertTrue(wal.durableSequence() >= seq);
            acknowledged.put(seq, text);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
    }
    Map<Long, byte[]> got = replay(group);
    assertEquals(threads * perThread, got.size());
    assertEquals(acknowledged.keySet(), got.keySet());
    acknowledged.forEach((seq, text) -> assertEquals(text, new String(got.get(seq), StandardCharsets.UTF_8)));
  }

  @Test
  void oversizedEntryIsRefusedBeforeWriting() {
    StorageOptions tiny = sync.withMaxEntryBytes(100);
    try (WriteAheadLog wal = open(tiny, new TreeMap<>())) {
      assertThrows(dev.quiver.InvalidArgumentException.class, () -> wal.append(new byte[101]));
      assertEquals(1, wal.append(new byte[100]), "the log is still usable");
    }
  }
}
