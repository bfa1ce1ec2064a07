package dev.quiver.qdrant;

import dev.quiver.MetadataField;
import dev.quiver.Quiver;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The whole conformance kit once more, every collection declaring the kit's consistently typed keys
 * ({@link VectorStoreConformanceKit#DECLARED_KIT_FIELDS}: {@code i} LONG, {@code p} STRING, {@code even}
 * BOOL, all indexed), so its filters run over Qdrant's integer, keyword and bool payload indexes. Runs
 * against the server of {@code QUIVER_QDRANT_URL} (the engine server of scripts/qdrant-edge-server.sh);
 * without it every case is skipped with the reason.
 */
class QdrantEngineDeclaredFieldsConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    QdrantConformanceTest.Target t = QdrantConformanceTest.Target.INSTANCE;
    if (t.url == null) {
      Assumptions.abort(t.reason);
    }
    return Quiver.open(t.url);
  }

  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    return Quiver.open(QdrantConformanceTest.Target.INSTANCE.url);
  }

  @Override
  protected List<MetadataField> declaredFields() {
    return DECLARED_KIT_FIELDS;
  }

  @Override
  protected String reportName() {
    return "qdrant-engine-declared-fields";
  }
}
