package dev.quiver.local;

import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;

class LocalConformanceTest extends VectorStoreConformanceKit {
  @Override
  protected VectorStore createStore() {
    return LocalVectorStore.inMemory();
  }
}
