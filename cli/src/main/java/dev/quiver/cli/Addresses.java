package dev.quiver.cli;

import dev.quiver.CollectionSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Quiver;
import dev.quiver.VectorStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code <store address>#<collection>} syntax of migrate, export and import, and the stores they
 * open: two equal addresses share one open store (a {@code local:} directory can be opened once).
 */
final class Addresses implements AutoCloseable {

  /**
   * A store address and a collection name.
   *
   * @param uri the store address, as given to {@link Quiver#open(String)}
   * @param collection the collection name, or {@code null} when none was given
   */
  record Address(String uri, String collection) {
    /** @return the collection, or a typed error when the address names none */
    String requireCollection() {
      if (collection == null) {
        throw new InvalidArgumentException("address '" + uri + "' names no collection: add #<collection>");
      }
      return collection;
    }
  }

  private final Map<String, VectorStore> open = new LinkedHashMap<>();

  /**
   * Splits {@code memory:#docs}, {@code local:./data#docs}, {@code qdrant://localhost:6334#docs} at the
   * last {@code #}.
   *
   * @param text the address
   * @return the parts
   */
  static Address parse(String text) {
    int hash = text.lastIndexOf('#');
    if (hash < 0) {
      return new Address(text, null);
    }
    String name = text.substring(hash + 1);
    return new Address(text.substring(0, hash), name.isEmpty() ? null : CollectionSpec.checkName(name));
  }

  VectorStore store(String uri) {
    return open.computeIfAbsent(uri, Quiver::open);
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (VectorStore s : open.values()) {
      try {
        s.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    open.clear();
    if (first != null) {
      throw first;
    }
  }
}
