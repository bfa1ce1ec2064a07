package dev.quiver;

/** A collection with that name already exists. */
public final class CollectionAlreadyExistsException extends NonTransientVectorStoreException {

  private final String collection;

  /** @param collection the name that is taken */
  public CollectionAlreadyExistsException(String collection) {
    this(collection, null);
  }

  /**
   * @param collection the name that is taken
   * @param cause the vendor error, or {@code null}
   */
  public CollectionAlreadyExistsException(String collection, Throwable cause) {
    super("collection '" + collection + "' already exists", cause);
    this.collection = collection;
  }

  /** @return the collection name that is taken */
  public String collection() {
    return collection;
  }
}
