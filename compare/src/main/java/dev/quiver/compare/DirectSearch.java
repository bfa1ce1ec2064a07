package dev.quiver.compare;

import dev.quiver.CollectionSpec;
import dev.quiver.StoreUri;
import java.util.Collection;
import java.util.Optional;

/**
 * A search made directly with a vendor's own SDK on a collection Quiver wrote, to measure what the
 * adapter adds. Implementations find the collection's layout through the SDK (its vector field and
 * the fields to return), not through Quiver's internals.
 */
interface DirectSearch extends AutoCloseable {

  /**
   * @param uri the store address Quiver was given
   * @param spec the collection's spec
   * @return a direct searcher for Milvus or Qdrant addresses, else empty
   */
  static Optional<DirectSearch> open(String uri, CollectionSpec spec) {
    StoreUri parsed = StoreUri.parse(uri);
    return switch (parsed.scheme()) {
      case "milvus", "milvus+tls" -> Optional.of(new MilvusDirect(parsed, spec));
      case "qdrant", "qdrant+tls" -> Optional.of(new QdrantDirect(parsed, spec));
      default -> Optional.empty();
    };
  }

  /** @return the SDK's name and version */
  String sdk();

  /** @return the version the server reports */
  String serverVersion();

  /** @return what the direct query asks for, for the report */
  String describe();

  /**
   * @param query the query vector
   * @param k top-k
   * @return every identifying string of the hits (ids, and for Qdrant the payload's strings), to check
   *     that the direct query found the records Quiver did
   */
  Collection<String> search(float[] query, int k);

  /** @return the number of hits of the last search */
  int lastHits();

  @Override
  void close();
}
