package dev.quiver;

/** The store was closed; open a new one to go on. */
public final class StoreClosedException extends NonTransientVectorStoreException {

  /** @param store names the closed store */
  public StoreClosedException(String store) {
    super("store " + store + " is closed", null);
  }
}
