package dev.quiver.spi;

/**
 * Sees every public call of every store: the one place where metrics, tracing or audit logging
 * hook in. Observers are found with {@link java.util.ServiceLoader} (a {@code META-INF/services}
 * entry) when a store is created; adapters never call them themselves. An observer must be fast
 * and must not throw: a failure in it is logged and otherwise ignored.
 */
public interface OperationObserver {

  /**
   * Called when a call ends, successfully or not.
   *
   * @param backend the backend name ({@link dev.quiver.Capabilities#backend()})
   * @param collection the collection the call was on, or {@code null} for store-level calls
   * @param operation the operation, for example {@code "upsert"} or {@code "search"}
   * @param nanos how long it took
   * @param error the exception it ended with (already mapped to the Quiver error tree), or {@code null}
   */
  void completed(String backend, String collection, String operation, long nanos, RuntimeException error);
}
