package dev.quiver.local;

import dev.quiver.StoreUri;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorStore;
import dev.quiver.spi.VectorStoreProvider;
import java.util.Set;

/**
 * Opens the embedded engine for {@code memory:} and {@code local:} addresses. {@code local:} with
 * no path is in memory; {@code local:<path>} asks for a durable store, which is not built yet and is
 * refused with {@link UnsupportedFeatureException} rather than silently kept in memory.
 */
public final class LocalVectorStoreProvider implements VectorStoreProvider {

  @Override
  public Set<String> schemes() {
    return Set.of("memory", "local");
  }

  @Override
  public VectorStore open(StoreUri uri) {
    if (uri.scheme().equals("local") && !uri.path().isEmpty()) {
      LocalVectorStore store = LocalVectorStore.inMemory();
      try {
        store.capabilities().require(dev.quiver.Feature.DURABILITY);
      } finally {
        store.close();
      }
    }
    return LocalVectorStore.inMemory();
  }
}
