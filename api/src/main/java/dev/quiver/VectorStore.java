package dev.quiver;

import java.util.List;

/**
 * A connection to one vector store: the embedded engine, or a Milvus, Qdrant or Pinecone service.
 * Open one with {@link Quiver#open(String)}; close it when done. Implementations are thread-safe.
 */
public interface VectorStore extends AutoCloseable {

  /**
   * Creates a collection.
   *
   * @param spec name, dimension, metric and index
   * @return the new collection
   * @throws CollectionAlreadyExistsException if the name is taken
   * @throws UnsupportedFeatureException if the backend lacks the metric or index kind
   */
  VectorCollection createCollection(CollectionSpec spec);

  /**
   * @param name a collection name
   * @return a handle on the existing collection
   * @throws CollectionNotFoundException if there is none
   */
  VectorCollection collection(String name);

  /**
   * Opens a collection that holds several named vectors (as Milvus collections with several vector
   * fields, or Qdrant collections with named vectors can), using the vector called {@code vector}.
   * Useful mostly for collections Quiver did not create; {@link #describeCollection} names the vectors.
   *
   * @param name a collection name
   * @param vector the name of the vector to search and write
   * @return a handle on the existing collection
   * @throws CollectionNotFoundException if there is none
   * @throws InvalidArgumentException if it has no vector of that name, or the backend has no named vectors
   */
  default VectorCollection collection(String name, String vector) {
    // adapters built on dev.quiver.spi.AbstractVectorStore override this with their backend's answer
    throw new InvalidArgumentException("this adapter's collections have one unnamed vector; open '" + name
        + "' with collection(name)");
  }

  /**
   * @param name a collection name
   * @return whether it exists
   */
  boolean hasCollection(String name);

  /** @return the names of all collections, sorted */
  List<String> listCollections();

  /**
   * @param name a collection name
   * @return its spec
   * @throws CollectionNotFoundException if there is none
   */
  CollectionSpec describeCollection(String name);

  /**
   * Drops a collection and all its records.
   *
   * @param name a collection name
   * @return {@code true} if it existed
   */
  boolean dropCollection(String name);

  /** @return what this backend does natively, emulates, or cannot do */
  Capabilities capabilities();

  /** Releases connections and files. Further calls fail. */
  @Override
  void close();
}
