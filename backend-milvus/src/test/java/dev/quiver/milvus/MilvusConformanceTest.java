package dev.quiver.milvus;

import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;

/**
 * The Quiver conformance kit against a Milvus server: QUIVER_MILVUS_URI (Milvus Lite in
 * scripts/test.sh) or Testcontainers; skipped with the reason printed when neither is there.
 */
class MilvusConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    return MilvusTestServer.open();
  }

  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    return MilvusTestServer.open();
  }
}
