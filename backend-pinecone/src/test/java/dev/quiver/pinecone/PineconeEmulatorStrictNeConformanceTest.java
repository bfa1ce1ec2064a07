package dev.quiver.pinecone;

import dev.quiver.IndexSpec;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import org.junit.jupiter.api.AfterAll;

/** The conformance kit against the emulator where {@code $ne}/{@code $nin} do NOT match records lacking the field. */
class PineconeEmulatorStrictNeConformanceTest extends VectorStoreConformanceKit {

  private static PineconeEmulator emulator;

  @Override
  protected VectorStore createStore() {
    synchronized (PineconeEmulatorStrictNeConformanceTest.class) {
      if (emulator == null) {
        // this configuration also simulates eventual consistency: writes show after two reads
        emulator = new PineconeEmulator(EmulatorFilter.NeMissing.DOES_NOT_MATCH).lagReads(2).describesUntilReady(2);
      }
    }
    return EmulatorStores.store(emulator);
  }

  /** The data lives in the emulator, so a new store over it sees what the closed one wrote. */
  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    return EmulatorStores.store(emulator);
  }

  /**
   * The emulator's lag is counted in reads, not time, so a short timeout suffices; it also bounds the
   * kit's pause before each "nothing was written" check on an eventually consistent backend.
   */
  @Override
  protected java.time.Duration visibilityTimeout() {
    return java.time.Duration.ofSeconds(3);
  }

  @Override
  protected IndexSpec indexForTests() {
    return IndexSpec.hnsw(16, 200);
  }

  @Override
  protected String reportName() {
    return "pinecone-emulator-ne-strict";
  }

  @AfterAll
  static void stopEmulator() {
    synchronized (PineconeEmulatorStrictNeConformanceTest.class) {
      if (emulator != null) {
        emulator.close();
        emulator = null;
      }
    }
  }
}
