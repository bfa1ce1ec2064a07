package dev.quiver.conformance;

import dev.quiver.VectorStore;
import java.time.Duration;

/**
 * The kit against the reference store in EVENTUAL mode (writes land 20 ms after they return): the
 * kit must wait for visibility everywhere instead of failing, as it will on Pinecone.
 */
class EventualReferenceStoreConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    return new ReferenceStore(ReferenceStore.Fault.NONE, true);
  }

  @Override
  protected Duration visibilityTimeout() {
    return Duration.ofSeconds(2);
  }

  @Override
  protected String reportName() {
    return "reference-eventual";
  }
}
