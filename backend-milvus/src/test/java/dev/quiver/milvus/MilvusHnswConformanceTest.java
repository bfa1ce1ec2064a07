package dev.quiver.milvus;

import dev.quiver.IndexSpec;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;

/** The kit once more with HNSW as the general index (exact cases still use FLAT); report "milvus-hnsw". */
class MilvusHnswConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    return MilvusTestServer.open();
  }

  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    return MilvusTestServer.open();
  }

  @Override
  protected IndexSpec indexForTests() {
    return IndexSpec.hnsw(16, 64);
  }

  @Override
  protected String reportName() {
    return "milvus-hnsw";
  }
}
