package dev.quiver.local.internal.storage;

import dev.quiver.InvalidArgumentException;

/**
 * Tuning of a {@link StoreStorage}. Immutable; change with the {@code with…} methods.
 *
 * @param io file access (tests inject faults here)
 * @param groupCommit when true, concurrent appenders share fsyncs (each still returns only once its
 *     own entry is durable); when false every append does its own fsync under the log's lock
 * @param maxSegmentBytes a WAL segment is sealed and a new one started once it reaches this size
 * @param maxEntryBytes largest WAL entry payload accepted; recovery also treats larger lengths as damage
 * @param truncateDamagedLog what recovery does with a damaged WAL entry (one that is not a torn tail):
 *     false (the default) refuses to open, naming the file and offset; true truncates the log there,
 *     dropping that entry and everything after it, and reports how many entries were lost
 */
public record StorageOptions(StorageIO io, boolean groupCommit, long maxSegmentBytes, int maxEntryBytes,
    boolean truncateDamagedLog) {

  /** 64 MiB. */
  public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
  /** 256 MiB: the engine splits larger upsert batches into several entries. */
  public static final int DEFAULT_MAX_ENTRY_BYTES = 256 << 20;

  /** Validates. */
  public StorageOptions {
    java.util.Objects.requireNonNull(io, "io");
    if (maxSegmentBytes < 1024) {
      throw new InvalidArgumentException("maxSegmentBytes must be at least 1024, got " + maxSegmentBytes);
    }
    if (maxEntryBytes < 1 || maxEntryBytes > (1 << 30)) {
      throw new InvalidArgumentException("maxEntryBytes must be 1..2^30, got " + maxEntryBytes);
    }
  }

  /** @return the real file system, group commit on, 64 MiB segments, 256 MiB entries, damage refused */
  public static StorageOptions defaults() {
    return new StorageOptions(StorageIO.standard(), true, DEFAULT_SEGMENT_BYTES, DEFAULT_MAX_ENTRY_BYTES, false);
  }

  /**
   * @param newIo file access
   * @return a copy using it
   */
  public StorageOptions withIo(StorageIO newIo) {
    return new StorageOptions(newIo, groupCommit, maxSegmentBytes, maxEntryBytes, truncateDamagedLog);
  }

  /**
   * @param on whether appenders share fsyncs
   * @return a copy
   */
  public StorageOptions withGroupCommit(boolean on) {
    return new StorageOptions(io, on, maxSegmentBytes, maxEntryBytes, truncateDamagedLog);
  }

  /**
   * @param bytes segment roll size
   * @return a copy
   */
  public StorageOptions withMaxSegmentBytes(long bytes) {
    return new StorageOptions(io, groupCommit, bytes, maxEntryBytes, truncateDamagedLog);
  }

  /**
   * @param bytes largest entry payload
   * @return a copy
   */
  public StorageOptions withMaxEntryBytes(int bytes) {
    return new StorageOptions(io, groupCommit, maxSegmentBytes, bytes, truncateDamagedLog);
  }

  /**
   * @param on whether recovery truncates the log at a damaged entry instead of refusing to open
   * @return a copy
   */
  public StorageOptions withTruncateDamagedLog(boolean on) {
    return new StorageOptions(io, groupCommit, maxSegmentBytes, maxEntryBytes, on);
  }
}
