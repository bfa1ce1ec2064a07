package dev.quiver.example.search;

import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;

/**
 * The same service on Pinecone's API, served by the strict emulator of backend-pinecone's tests: a
 * backend with tenants (namespaces) and declared fields, so the tenant assertions run here whatever
 * the embedded engine offers.
 */
@DisplayName("search service on Pinecone (the emulator)")
class PineconeEmulatorSearchServiceTest extends AbstractSearchServiceTest {

  private PineconeEmulator emulator;

  @Override
  String storeUri(Path tmp) {
    emulator = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES);
    return emulator.storeUri();
  }

  @Override
  void afterAll() {
    if (emulator != null) {
      emulator.close();
    }
  }
}
