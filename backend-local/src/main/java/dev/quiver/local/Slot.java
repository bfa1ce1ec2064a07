package dev.quiver.local;

import dev.quiver.Metadata;
import dev.quiver.Record;

/**
 * One stored version of a record, under its own ordinal. Immutable except for its metadata (replaced
 * by updateMetadata) and its liveness. An upsert of an existing id gives the new version a fresh slot
 * and retires the old one, so readers holding the old slot still see a consistent record.
 */
final class Slot {
  final int ord;
  final String id;
  final float[] vector; // never handed out without copying
  /** What the exact scan's float distance needs besides the vector: see {@link ExactScan#scanAux}. */
  final float aux;
  volatile Metadata metadata;
  volatile boolean live;

  Slot(int ord, String id, float[] vector, Metadata metadata, float aux) {
    this.ord = ord;
    this.id = id;
    this.vector = vector;
    this.metadata = metadata;
    this.aux = aux;
  }

  Record toRecord() {
    return Record.of(id, vector, metadata);
  }
}
