package dev.quiver.local;

import dev.quiver.IndexSpec;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;

/** The conformance kit against the embedded engine with HNSW collections; report {@code local-hnsw}. */
class LocalHnswConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    return LocalVectorStore.inMemory();
  }

  @Override
  protected IndexSpec indexForTests() {
    return IndexSpec.hnsw(16, 200);
  }

  @Override
  protected String reportName() {
    return "local-hnsw";
  }
}
