package dev.quiver.pinecone.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.TreeMap;

/**
 * One emulated index: its records as committed, the (possibly lagging) view reads see, and the LSNs
 * behind {@code x-pinecone-request-lsn} / {@code x-pinecone-max-indexed-lsn}. Guarded by the emulator's lock.
 */
final class EmulatorIndex {

  /** One stored record; metadata numbers are doubles, as Pinecone keeps them. */
  record Rec(String id, float[] values, ObjectNode metadata) {}

  final String name;
  final int dimension;
  final String metric;
  final ObjectNode tags;
  int describesUntilReady;
  TreeMap<String, Rec> committed = new TreeMap<>();
  TreeMap<String, Rec> visible = new TreeMap<>();
  final Deque<Object[]> pending = new ArrayDeque<>(); // {lsn, readsLeft, snapshot}
  long lsn;
  long indexedLsn;
  boolean namespaceExists;

  EmulatorIndex(String name, int dimension, String metric, ObjectNode tags, int describesUntilReady) {
    this.name = name;
    this.dimension = dimension;
    this.metric = metric;
    this.tags = tags;
    this.describesUntilReady = describesUntilReady;
  }

  /**
   * Commits the current records: visible at once, or after {@code lagReads} later reads.
   *
   * @param lagReads reads before the write shows
   * @return the write's LSN
   */
  long commit(int lagReads) {
    lsn++;
    if (lagReads <= 0) {
      visible = new TreeMap<>(committed);
      indexedLsn = lsn;
    } else {
      pending.add(new Object[] {lsn, lagReads, new TreeMap<>(committed)});
    }
    return lsn;
  }

  /** @return the records one read sees (counts the read towards pending writes' lag) */
  @SuppressWarnings("unchecked")
  TreeMap<String, Rec> read() {
    for (Object[] p : pending) {
      p[1] = (Integer) p[1] - 1;
    }
    while (!pending.isEmpty() && (Integer) pending.peekFirst()[1] <= 0) {
      Object[] p = pending.pollFirst();
      indexedLsn = (Long) p[0];
      visible = (TreeMap<String, Rec>) p[2];
    }
    return visible;
  }
}
