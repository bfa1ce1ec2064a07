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

  /** Byte offset of entry {@code seq} in a segment written by {@link #payload} appends from 1. */
  private static long offsetOf(long seq) {
    long offset = WriteAheadLog.SEGMENT_HEADER_SIZE;
    for (long i = 1; i < seq; i++) {
      offset += WriteAheadLog.ENTRY_OVERHEAD + payload(i).length;
    }
    return offset;
  }

  private void appendEntries(long count) {
    try (WriteAheadLog wal = open(sync, new TreeMap<>())) {
      for (long i = 1; i <= count; i++) {
        wal.append(payload(i));
      }
    }
  }

  /** Deletes every segment but {@code keep} (recovery sealed it and started another). */
  private void deleteOtherSegments(Path keep) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(p -> !p.equals(keep) && p.getFileName().toString().startsWith("wal-")).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void corruptionInTheMiddleFollowedByValidEntriesFailsLoudly() throws Exception {
    appendEntries(10);
    Path seg = onlySegmentWithEntries();
    byte[] data = Files.readAllBytes(seg);
    long offset = offsetOf(4);
    // Damage entry 4's payload, then (separately) its length field.
    for (int delta : new int[] {WriteAheadLog.ENTRY_HEADER_SIZE + 2, 1}) {
      byte[] bad = data.clone();
      bad[(int) offset + delta] ^= 0x5A;
      Files.write(seg, bad);
      StorageException e = assertThrows(StorageException.class, () -> replay(sync));
      assertTrue(e.getMessage().contains(seg.getFileName().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("entry 4 at byte offset " + offset), e.getMessage());
      assertTrue(e.getMessage().contains("7 entries (4..10)"), e.getMessage());
      assertEquals(data.length, Files.size(seg), "a refused open changes nothing");
    }
    Files.write(seg, data);
    assertEntries(replay(sync), 10);
  }

  /** The old rule let a damaged last entry pass for a torn tail: it is complete, so it is damage. */
  @Test
  void aFlippedByteInTheLastCompleteEntryIsRefused() throws Exception {
    appendEntries(10);
    Path seg = onlySegmentWithEntries();
    byte[] bad = Files.readAllBytes(seg);
    long offset = offsetOf(10);
    bad[(int) offset + WriteAheadLog.ENTRY_HEADER_SIZE] ^= 0x01;
    Files.write(seg, bad);
    StorageException e = assertThrows(StorageException.class, () -> replay(sync));
    assertTrue(e.getMessage().contains(seg.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("entry 10 at byte offset " + offset), e.getMessage());
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());

    StorageOptions truncate = sync.withTruncateDamagedLog(true);
    Map<Long, byte[]> got = new TreeMap<>();
    try (WriteAheadLog wal = open(truncate, got)) {
      assertEquals(1, wal.recoveryReport().lostEntries());
      assertTrue(wal.recoveryReport().damage().contains("byte offset " + offset), wal.recoveryReport().damage());
      assertEquals(10, wal.append(payload(10)), "the dropped sequence is reused");
    }
    assertEntries(got, 9);
    Map<Long, byte[]> again = new TreeMap<>();
    try (WriteAheadLog wal = open(sync, again)) {
      assertEquals(0, wal.recoveryReport().lostEntries(), "the truncated log is clean");
      assertEquals(null, wal.recoveryReport().damage());
    }
    assertEntries(again, 10);
  }

  @Test
  void recoveryByTruncationDropsEverythingFromTheDamageOnAndCountsIt() throws Exception {
    appendEntries(10);
    Path seg = onlySegmentWithEntries();
    byte[] bad = Files.readAllBytes(seg);
    bad[(int) offsetOf(4) + WriteAheadLog.ENTRY_HEADER_SIZE + 3] ^= 0x10;
    Files.write(seg, bad);
    StorageOptions truncate = sync.withTruncateDamagedLog(true);
    Map<Long, byte[]> got = new TreeMap<>();
    try (WriteAheadLog wal = open(truncate, got)) {
      LogRecoveryReport r = wal.recoveryReport();
      assertEquals(7, r.lostEntries(), r.toString());
      assertEquals(3, r.lastSequence());
      assertEquals(bad.length - offsetOf(4), r.truncatedBytes());
      assertTrue(r.damage().contains(seg.toString()) && r.damage().contains("entry 4"), r.damage());
      assertEquals(4, wal.append(payload(4)));
    }
    assertEntries(got, 3);
    assertEntries(replay(sync), 4);
  }

  @Test
  void truncationAtADamagedSealedSegmentDropsTheSegmentsAfterIt() throws Exception {
    StorageOptions small = sync.withMaxSegmentBytes(1024);
    try (WriteAheadLog wal = open(small, new TreeMap<>())) {
      for (long i = 1; i <= 200; i++) {
        wal.append(payload(i));
      }
    }
    List<Path> segs = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().startsWith("wal-")).sorted().forEach(segs::add);
    }
    Path third = segs.get(2);
    long first = Long.parseLong(third.getFileName().toString().substring(4, 24));
    byte[] bad = Files.readAllBytes(third);
    bad[WriteAheadLog.SEGMENT_HEADER_SIZE + WriteAheadLog.ENTRY_HEADER_SIZE] ^= 1; // its first entry
    Files.write(third, bad);
    StorageException e = assertThrows(StorageException.class, () -> replay(small));
    assertTrue(e.getMessage().contains(third.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("entry " + first + " at byte offset " + WriteAheadLog.SEGMENT_HEADER_SIZE),
        e.getMessage());

    Map<Long, byte[]> got = new TreeMap<>();
    try (WriteAheadLog wal = open(small.withTruncateDamagedLog(true), got)) {
      assertEquals(200 - first + 1, wal.recoveryReport().lostEntries(), wal.recoveryReport().toString());
      assertEquals(first - 1, wal.lastSequence());
    }
    assertEntries(got, first - 1);
    for (Path later : segs.subList(3, segs.size())) {
      assertTrue(!Files.exists(later) || Files.size(later) == WriteAheadLog.SEGMENT_HEADER_SIZE,
          "dropped: " + later);
    }
    assertEntries(replay(small), first - 1);
  }

  @Test
  void nonZeroGarbageAfterTheLastEntryIsDamageNotATornTail() throws Exception {
    appendEntries(5);
    Path seg = onlySegmentWithEntries();
    byte[] garbage = new byte[256];
    java.util.Arrays.fill(garbage, (byte) 0x5A);
    Files.write(seg, garbage, StandardOpenOption.APPEND);
    StorageException e = assertThrows(StorageException.class, () -> replay(sync));
    assertTrue(e.getMessage().contains("entry 6 at byte offset " + offsetOf(6)), e.getMessage());
    Map<Long, byte[]> got = new TreeMap<>();
    try (WriteAheadLog wal = open(sync.withTruncateDamagedLog(true), got)) {
      assertEquals(1, wal.recoveryReport().lostEntries(), "the damaged entry itself");
    }
    assertEntries(got, 5);
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
   * A damaged entry followed by an intact one is never a torn tail, whatever the later entry's
   * {@code durable} field says: a process kill cannot leave it (a power cut that persisted a later
   * page of an unsynced group-commit batch could, and then only recovery by truncation opens the log).
   */
  @Test
  void aDamagedEntryFollowedByAnIntactOneIsRefused() throws Exception {
    appendEntries(3);
    Path seg = onlySegmentWithEntries();
    byte[] base = Files.readAllBytes(seg);
    for (long durableOf5 : new long[] {3, 4}) {
      java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
      log.write(base);
      log.write(frame(4, 3, payload(4), true));
      log.write(frame(5, durableOf5, payload(5), false));
      Files.write(seg, log.toByteArray());
      deleteOtherSegments(seg);
      StorageException e = assertThrows(StorageException.class, () -> replay(sync));
      assertTrue(e.getMessage().contains("entry 4 at byte offset " + base.length), e.getMessage());
      assertTrue(e.getMessage().contains("2 entries (4..5)"), e.getMessage());
    }
    Map<Long, byte[]> got = new TreeMap<>();
    try (WriteAheadLog wal = open(sync.withTruncateDamagedLog(true), got)) {
      assertEquals(2, wal.recoveryReport().lostEntries());
    }
    assertEntries(got, 3);
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
