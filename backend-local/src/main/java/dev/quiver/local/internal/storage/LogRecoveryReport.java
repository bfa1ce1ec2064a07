package dev.quiver.local.internal.storage;

/**
 * What the write-ahead log's recovery found when the store was opened; for logs, health reports and tests.
 *
 * @param lastSequence the last sequence in the log after recovery (or the snapshot's, if larger)
 * @param replayed how many entries were handed to the visitor
 * @param truncatedBytes bytes dropped (a torn tail, or everything from a damaged entry on)
 * @param truncatedReason why, or null when nothing was dropped
 * @param lostEntries entries dropped because the log was damaged and
 *     {@link StorageOptions#truncateDamagedLog()} asked for truncation (never counts a torn tail,
 *     which holds no acknowledged entry)
 * @param damage where the log was damaged and truncated (file, byte offset, problem), or null
 */
public record LogRecoveryReport(long lastSequence, long replayed, long truncatedBytes, String truncatedReason,
    long lostEntries, String damage) {}
