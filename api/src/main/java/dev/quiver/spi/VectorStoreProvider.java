package dev.quiver.spi;

import dev.quiver.StoreUri;
import dev.quiver.VectorStore;
import java.util.Set;

/**
 * A backend, found by {@link java.util.ServiceLoader} when {@link dev.quiver.Quiver#open(String)} is
 * called. Register an implementation in {@code META-INF/services/dev.quiver.spi.VectorStoreProvider}.
 */
public interface VectorStoreProvider {

  /** @return the URI schemes this provider handles, for example {@code milvus} and {@code milvus+tls} */
  Set<String> schemes();

  /**
   * @param uri a parsed store URI
   * @return whether this provider can open it; by default, whether its scheme is one of {@link #schemes()}
   */
  default boolean supports(StoreUri uri) {
    return schemes().contains(uri.scheme());
  }

  /**
   * @param uri a store URI this provider {@linkplain #supports supports}
   * @return an open store
   * @throws dev.quiver.InvalidArgumentException if the URI's options are wrong
   * @throws dev.quiver.VectorStoreException if the store cannot be opened
   */
  VectorStore open(StoreUri uri);
}
