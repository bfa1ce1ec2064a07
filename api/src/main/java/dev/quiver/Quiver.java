package dev.quiver;

import dev.quiver.spi.VectorStoreProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Entry point: opens a store by address, finding the backend by URI scheme through
 * {@link ServiceLoader}.
 *
 * <pre>{@code
 * try (VectorStore store = Quiver.open("memory:")) { ... }
 * }</pre>
 */
public final class Quiver {

  private Quiver() {}

  /**
   * @param uri for example {@code memory:}, {@code local:./data}, {@code milvus://localhost:19530},
   *     {@code qdrant://localhost:6334}, {@code pinecone://?apiKey=...}
   * @return an open store
   * @throws InvalidArgumentException if no backend on the class path handles the scheme; the message lists those found
   */
  public static VectorStore open(String uri) {
    return open(StoreUri.parse(uri));
  }

  /**
   * @param uri a parsed address
   * @return an open store
   * @throws InvalidArgumentException if no backend on the class path handles it
   */
  public static VectorStore open(StoreUri uri) {
    List<VectorStoreProvider> providers = providers();
    for (VectorStoreProvider p : providers) {
      if (p.supports(uri)) {
        return p.open(uri);
      }
    }
    TreeSet<String> found = new TreeSet<>();
    providers.forEach(p -> found.addAll(p.schemes()));
    throw new InvalidArgumentException("no Quiver backend handles '" + uri.scheme() + ":' (" + uri
        + "); schemes found on the class path: " + (found.isEmpty() ? "none" : String.join(", ", found))
        + ". Add the backend's jar, for example quiver-backend-" + uri.scheme().replaceAll("\\+.*", "") + ".");
  }

  /** @return the backends found on the class path */
  public static List<VectorStoreProvider> providers() {
    List<VectorStoreProvider> out = new ArrayList<>();
    ServiceLoader.load(VectorStoreProvider.class).forEach(out::add);
    return out;
  }
}
