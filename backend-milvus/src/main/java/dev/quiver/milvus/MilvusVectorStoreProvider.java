package dev.quiver.milvus;

import dev.quiver.StoreUri;
import dev.quiver.VectorStore;
import dev.quiver.spi.VectorStoreProvider;
import java.util.Set;

/**
 * Opens {@link MilvusVectorStore} for {@code milvus://host:port} and {@code milvus+tls://host:port},
 * with the options {@code token}, {@code database}, {@code tls}, {@code deadlineMs} and
 * {@code maxAttempts}: {@code Quiver.open("milvus://localhost:19530?database=docs&deadlineMs=5000")}.
 */
public final class MilvusVectorStoreProvider implements VectorStoreProvider {

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public MilvusVectorStoreProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("milvus", "milvus+tls");
  }

  @Override
  public VectorStore open(StoreUri uri) {
    return MilvusVectorStore.builder().uri(uri).build();
  }
}
