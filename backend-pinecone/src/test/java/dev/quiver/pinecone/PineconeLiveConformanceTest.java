package dev.quiver.pinecone;

import dev.quiver.IndexSpec;
import dev.quiver.Secret;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/**
 * The conformance kit against real Pinecone. Runs only when {@code QUIVER_PINECONE_API_KEY} is set
 * (optional: {@code QUIVER_PINECONE_CLOUD}, {@code QUIVER_PINECONE_REGION}); otherwise every case is
 * skipped with the reason printed. It creates and drops serverless indexes named {@code kit-...}.
 */
class PineconeLiveConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    String key = System.getenv("QUIVER_PINECONE_API_KEY");
    if (key == null || key.isBlank()) {
      String reason = "SKIPPED pinecone live conformance: QUIVER_PINECONE_API_KEY is not set; results for Pinecone "
          + "come from the emulator only";
      System.out.println(reason);
      Assumptions.abort(reason);
    }
    String cloud = System.getenv().getOrDefault("QUIVER_PINECONE_CLOUD", "aws");
    String region = System.getenv().getOrDefault("QUIVER_PINECONE_REGION", "us-east-1");
    return PineconeVectorStore.builder().apiKey(Secret.of(key.trim())).cloud(cloud).region(region)
        .readyTimeout(Duration.ofMinutes(5)).freshnessTimeout(Duration.ofSeconds(60)).build();
  }

  @Override
  protected IndexSpec indexForTests() {
    return IndexSpec.hnsw(16, 200);
  }

  @Override
  protected Duration visibilityTimeout() {
    return Duration.ofSeconds(120);
  }

  @Override
  protected String reportName() {
    return "pinecone-live";
  }
}
