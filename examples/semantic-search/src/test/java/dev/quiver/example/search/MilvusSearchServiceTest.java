package dev.quiver.example.search;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;

/** The same service on Milvus Lite, started by scripts/test.sh (QUIVER_MILVUS_URI). */
@DisplayName("search service on Milvus (QUIVER_MILVUS_URI)")
class MilvusSearchServiceTest extends AbstractSearchServiceTest {

  @Override
  String storeUri(Path tmp) {
    String uri = System.getenv("QUIVER_MILVUS_URI");
    if (uri == null || uri.isBlank()) {
      System.out.println("MilvusSearchServiceTest: SKIPPED, QUIVER_MILVUS_URI is not set (scripts/test.sh starts Milvus Lite and sets it)");
      Assumptions.abort("QUIVER_MILVUS_URI is not set; scripts/test.sh starts Milvus Lite and sets it");
    }
    return uri;
  }
}
