package dev.quiver.milvus;

import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;

/**
 * The Quiver conformance kit against real Milvus: {@code QUIVER_MILVUS_SERVER_URI} (Milvus 2.3.5 from
 * {@code scripts/milvus-server.sh} in {@code scripts/test.sh}); report "milvus-2.3". Skipped with the
 * reason printed when the variable is not set.
 */
class MilvusServerConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    return MilvusTestServer.openServer();
  }

  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    return MilvusTestServer.openServer();
  }

  @Override
  protected String reportName() {
    return "milvus-2.3";
  }
}
