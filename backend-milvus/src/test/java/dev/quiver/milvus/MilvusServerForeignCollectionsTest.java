package dev.quiver.milvus;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * The pymilvus quick-start and typed layouts of {@link MilvusLiteForeignCollectionsTest} on real Milvus
 * ({@code QUIVER_MILVUS_SERVER_URI}, Milvus 2.3.5 in scripts/test.sh); skipped with the reason printed
 * when it is not set. (The framework layouts differ from these only in field names and the JSON field,
 * which Lite covers; left out to keep the suite's time.)
 */
class MilvusServerForeignCollectionsTest {

  @Nested
  @DisplayName("pymilvus quick-start on real Milvus")
  class QuickStartLayout extends MilvusLiteForeignCollectionsTest.QuickStart {
    @Override
    String quiverUri() {
      return MilvusTestServer.serverUri();
    }
  }

  @Nested
  @DisplayName("typed schema on real Milvus")
  class TypedLayout extends MilvusLiteForeignCollectionsTest.Typed {
    @Override
    String quiverUri() {
      return MilvusTestServer.serverUri();
    }
  }
}
