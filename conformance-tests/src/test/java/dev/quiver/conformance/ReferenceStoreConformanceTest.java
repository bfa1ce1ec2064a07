package dev.quiver.conformance;

import dev.quiver.VectorStore;

/** The kit against an obviously-correct in-memory store: every case must pass (or skip as unsupported). */
class ReferenceStoreConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    return new ReferenceStore(ReferenceStore.Fault.NONE);
  }
}
