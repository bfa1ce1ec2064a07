package dev.quiver.local;

import dev.quiver.IndexSpec;
import dev.quiver.MetadataField;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;
import java.util.List;

/**
 * The whole conformance kit against the embedded engine with every general collection declaring the
 * kit's typed keys ({@link #DECLARED_KIT_FIELDS}: {@code i} LONG, {@code p} STRING, {@code even} BOOL, all
 * indexed) and HNSW collections (cases that need exact answers use FLAT): filters, lists, counts and
 * deletes by filter must mean exactly what they mean without declarations. Report
 * {@code local-declared-fields}.
 */
class LocalDeclaredFieldsConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    return LocalVectorStore.inMemory();
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
    return "local-declared-fields";
  }
}
