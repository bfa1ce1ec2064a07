package dev.quiver.example.search;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;

@DisplayName("search service on the embedded engine (local:)")
class LocalSearchServiceTest extends AbstractSearchServiceTest {

  @Override
  String storeUri(Path tmp) {
    return "local:" + tmp.resolve("store");
  }
}
