package dev.quiver.milvus;

import dev.quiver.MetadataField;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;
import java.util.List;

/**
 * The whole kit once more on real Milvus ({@code QUIVER_MILVUS_SERVER_URI}, Milvus 2.3.5 in
 * {@code scripts/test.sh}) with the kit's consistently typed keys declared and indexed
 * ({@link #DECLARED_KIT_FIELDS}): {@code i} and {@code p} live in INT64 / VARCHAR fields with STL_SORT /
 * Trie indexes, {@code even} in a BOOL field (2.3 indexes no booleans), missing values as placeholders
 * listed in {@code __absent}; report "milvus-server-declared-fields". Skipped with the reason printed
 * when the variable is not set.
 */
class MilvusServerDeclaredFieldsConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    return MilvusTestServer.openServer();
  }

  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    return MilvusTestServer.openServer();
  }

  @Override
  protected List<MetadataField> declaredFields() {
    return DECLARED_KIT_FIELDS;
  }

  @Override
  protected String reportName() {
    return "milvus-server-declared-fields";
  }
}
