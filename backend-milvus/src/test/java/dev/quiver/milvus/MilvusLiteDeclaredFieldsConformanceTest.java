package dev.quiver.milvus;

import dev.quiver.MetadataField;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;
import java.util.List;

/**
 * The whole kit once more on Milvus Lite ({@code QUIVER_MILVUS_URI}) with the kit's consistently typed
 * keys declared and indexed ({@link #DECLARED_KIT_FIELDS}): {@code i}, {@code p} and {@code even} live in
 * nullable typed scalar fields with INVERTED indexes instead of the JSON field; report
 * "milvus-lite-declared-fields".
 */
class MilvusLiteDeclaredFieldsConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    return MilvusTestServer.open();
  }

  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    return MilvusTestServer.open();
  }

  @Override
  protected List<MetadataField> declaredFields() {
    return DECLARED_KIT_FIELDS;
  }

  @Override
  protected String reportName() {
    return "milvus-lite-declared-fields";
  }
}
