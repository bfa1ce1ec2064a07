package dev.quiver.pinecone;

import dev.quiver.IndexSpec;
import dev.quiver.MetadataField;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * The whole conformance kit over the emulator with every collection declaring the kit's fields
 * ({@link VectorStoreConformanceKit#DECLARED_KIT_FIELDS}): declared numbers are stored without Quiver's
 * type tags, so this run proves the filter translation for declared fields means what it means without
 * them. Uses the strict {@code $ne} reading, under which a wrong negation shows.
 */
class PineconeEmulatorDeclaredFieldsConformanceTest extends VectorStoreConformanceKit {

  private static PineconeEmulator emulator;

  @Override
  protected VectorStore createStore() {
    synchronized (PineconeEmulatorDeclaredFieldsConformanceTest.class) {
      if (emulator == null) {
        emulator = new PineconeEmulator(EmulatorFilter.NeMissing.DOES_NOT_MATCH);
      }
    }
    return EmulatorStores.store(emulator);
  }

  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    return EmulatorStores.store(emulator);
  }

  @Override
  protected Duration visibilityTimeout() {
    return Duration.ofSeconds(3);
  }

  @Override
  protected IndexSpec indexForTests() {
    return IndexSpec.hnsw(16, 200);
  }

  @Override
  protected List<MetadataField> declaredFields() {
    return DECLARED_KIT_FIELDS;
  }

  @Override
  protected String reportName() {
    return "pinecone-emulator-declared-fields";
  }

  @AfterAll
  static void stopEmulator() {
    synchronized (PineconeEmulatorDeclaredFieldsConformanceTest.class) {
      if (emulator != null) {
        emulator.close();
        emulator = null;
      }
    }
  }
}
