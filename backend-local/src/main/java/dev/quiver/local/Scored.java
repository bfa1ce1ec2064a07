package dev.quiver.local;

import dev.quiver.Metadata;
import java.util.Comparator;

/**
 * A search candidate with its exact (double, reference-formula) distance and the metadata version it
 * was checked against.
 */
record Scored(Slot slot, Metadata metadata, double distance) {

  /** Worst match first, so a bounded heap keeps the best; ties: the larger id is worse. */
  static final Comparator<Scored> WORST_FIRST = Comparator.comparingDouble(Scored::distance).reversed()
      .thenComparing(Scored::id, Comparator.reverseOrder());

  String id() {
    return slot.id;
  }
}
