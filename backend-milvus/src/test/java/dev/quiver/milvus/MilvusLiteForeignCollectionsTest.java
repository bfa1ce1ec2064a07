package dev.quiver.milvus;

import dev.quiver.Record;
import dev.quiver.VectorStore;
import dev.quiver.conformance.ForeignCollectionKit;
import dev.quiver.conformance.VendorCollection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * Collections made by pymilvus (the vendor's own client) in the layouts found in the wild, opened with
 * Quiver on Milvus Lite ({@code QUIVER_MILVUS_URI}) and compared with what pymilvus reads: the pymilvus
 * quick-start, a typed schema, LangChain4j's and Spring AI's layouts. One class (one JVM) for all of them.
 */
class MilvusLiteForeignCollectionsTest {

  /** A layout of {@code pymilvus_vendor.py} on one server. */
  abstract static class Layout extends ForeignCollectionKit {
    abstract String layout();

    String quiverUri() {
      return MilvusTestServer.uri();
    }

    @Override
    protected VectorStore openStore() {
      return MilvusVectorStore.builder().uri(quiverUri()).deadline(java.time.Duration.ofSeconds(60)).build();
    }

    @Override
    protected VendorCollection createWithVendorClient(String name, List<Record> records) {
      return PyMilvusVendor.start(MilvusTestServer.sdkUri(quiverUri())).create(name, layout(), records);
    }
  }

  /** {@code MilvusClient.create_collection(name, dimension=8, metric_type="COSINE")}: INT64 id, dynamic keys. */
  abstract static class QuickStart extends Layout {
    @Override
    String layout() {
      return "quickstart";
    }

    @Override
    protected String layoutName() {
      return "pymilvus quick-start (INT64 id, dynamic field)";
    }

    @Override
    protected Optional<String> idTheKeyCannotHold() {
      return Optional.of("doc-7");
    }
  }

  /** INT64 pk, HNSW, typed scalar fields (INT32 year, FLOAT rating, ARRAY tags). */
  abstract static class Typed extends Layout {
    @Override
    String layout() {
      return "typed";
    }

    @Override
    protected String layoutName() {
      return "typed schema (INT64 pk, VARCHAR/INT32/FLOAT/BOOL/ARRAY fields, HNSW)";
    }

    @Override
    protected Optional<String> idTheKeyCannotHold() {
      return Optional.of("0x10");
    }
  }

  /** LangChain4j's MilvusEmbeddingStore: VARCHAR(36) id, text, JSON metadata (strings and numbers only). */
  abstract static class LangChain4j extends Layout {
    @Override
    String layout() {
      return "langchain4j";
    }

    @Override
    protected String layoutName() {
      return "LangChain4j MilvusEmbeddingStore (VARCHAR(36) id, text, JSON metadata, vector)";
    }

    @Override
    protected Set<String> keysTheLayoutHolds() {
      return Set.of("category", "year", "rating"); // LangChain4j metadata holds strings and numbers
    }

    @Override
    protected Optional<String> idTheKeyCannotHold() {
      return Optional.of("x".repeat(37));
    }
  }

  /** Spring AI's MilvusVectorStore: VARCHAR(36) doc_id, content, JSON metadata, IVF_FLAT embedding. */
  abstract static class SpringAi extends Layout {
    @Override
    String layout() {
      return "springai";
    }

    @Override
    protected String layoutName() {
      return "Spring AI MilvusVectorStore (VARCHAR(36) doc_id, content, JSON metadata, IVF_FLAT embedding)";
    }

    @Override
    protected Optional<String> idTheKeyCannotHold() {
      return Optional.of("y".repeat(37));
    }
  }

  @Nested
  @DisplayName("pymilvus quick-start")
  class QuickStartLayout extends QuickStart {}

  @Nested
  @DisplayName("typed schema")
  class TypedLayout extends Typed {}

  @Nested
  @DisplayName("LangChain4j")
  class LangChain4jLayout extends LangChain4j {}

  @Nested
  @DisplayName("Spring AI")
  class SpringAiLayout extends SpringAi {}
}
