package dev.quiver;

/** The named collection does not exist in this store. */
public final class CollectionNotFoundException extends NonTransientVectorStoreException {

  private final String collection;

  /** @param collection the name that was asked for */
  public CollectionNotFoundException(String collection) {
    this(collection, null);
  }

  /**
   * @param collection the name that was asked for
   * @param cause the vendor error, or {@code null}
   */
  public CollectionNotFoundException(String collection, Throwable cause) {
    super("collection '" + collection + "' does not exist", cause);
    this.collection = collection;
  }

  /** @return the collection name that was not found */
  public String collection() {
    return collection;
  }
}
