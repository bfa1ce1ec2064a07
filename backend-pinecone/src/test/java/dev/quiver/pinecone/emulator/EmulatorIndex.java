package dev.quiver.pinecone.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.TreeMap;

/**
 * One emulated index: its records per namespace as committed, the (possibly lagging) view reads see,
 * and the LSNs behind {@code x-pinecone-request-lsn} / {@code x-pinecone-max-indexed-lsn}. The default
 * namespace is kept under {@code ""}. Guarded by the emulator's lock.
 */
final class EmulatorIndex {

  /** One stored record; metadata numbers are doubles, as Pinecone keeps them. */
  record Rec(String id, float[] values, ObjectNode metadata) {}

  final String name;
  final int dimension;
  final String metric;
  final ObjectNode tags;
  String deletionProtection;
  int describesUntilReady;
  /** Namespace → id → record. A namespace exists once a record was upserted into it. */
  final TreeMap<String, TreeMap<String, Rec>> committed = new TreeMap<>();
  private TreeMap<String, TreeMap<String, Rec>> visible = new TreeMap<>();
  private final Deque<Object[]> pending = new ArrayDeque<>(); // {lsn, readsLeft, snapshot}
  long lsn;
  long indexedLsn;

  EmulatorIndex(String name, int dimension, String metric, ObjectNode tags, String deletionProtection,
      int describesUntilReady) {
    this.name = name;
    this.dimension = dimension;
    this.metric = metric;
    this.tags = tags;
    this.deletionProtection = deletionProtection;
    this.describesUntilReady = describesUntilReady;
  }

  /**
   * @param namespace a namespace ("" for the default)
   * @return its committed records, creating the namespace (as an upsert does)
   */
  TreeMap<String, Rec> create(String namespace) {
    return committed.computeIfAbsent(namespace, k -> new TreeMap<>());
  }

  /**
   * @param namespace a namespace
   * @return whether a record was ever upserted into it (Pinecone answers 404 "Namespace not found" otherwise)
   */
  boolean exists(String namespace) {
    return committed.containsKey(namespace);
  }

  /**
   * Commits the current records: visible at once, or after {@code lagReads} later reads.
   *
   * @param lagReads reads before the write shows
   * @return the write's LSN
   */
  long commit(int lagReads) {
    lsn++;
    TreeMap<String, TreeMap<String, Rec>> snapshot = new TreeMap<>();
    committed.forEach((ns, recs) -> snapshot.put(ns, new TreeMap<>(recs)));
    if (lagReads <= 0) {
      visible = snapshot;
      indexedLsn = lsn;
    } else {
      pending.add(new Object[] {lsn, lagReads, snapshot});
    }
    return lsn;
  }

  /** @return every namespace's records as one read sees them (counts the read towards pending writes' lag) */
  @SuppressWarnings("unchecked")
  TreeMap<String, TreeMap<String, Rec>> readAll() {
    for (Object[] p : pending) {
      p[1] = (Integer) p[1] - 1;
    }
    while (!pending.isEmpty() && (Integer) pending.peekFirst()[1] <= 0) {
      Object[] p = pending.pollFirst();
      indexedLsn = (Long) p[0];
      visible = (TreeMap<String, TreeMap<String, Rec>>) p[2];
    }
    return visible;
  }

  /**
   * @param namespace a namespace ("" for the default)
   * @return its records as one read sees them (empty if it does not exist in that view)
   */
  TreeMap<String, Rec> read(String namespace) {
    return readAll().getOrDefault(namespace, new TreeMap<>());
  }
}
