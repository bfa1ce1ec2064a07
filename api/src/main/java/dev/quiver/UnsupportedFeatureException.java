package dev.quiver;

/**
 * The backend cannot do what was asked. Thrown before any data is touched; Quiver never silently
 * ignores a request it cannot honour. {@link VectorStore#capabilities()} lists these up front.
 */
public final class UnsupportedFeatureException extends NonTransientVectorStoreException {

  private final String backend;
  private final Feature feature;

  /**
   * @param backend the backend's name, as in {@link Capabilities#backend()}
   * @param feature what it cannot do
   * @param reason why, in a sentence
   */
  public UnsupportedFeatureException(String backend, Feature feature, String reason) {
    super(backend + " does not support " + feature + (reason == null || reason.isEmpty() ? "" : ": " + reason), null);
    this.backend = backend;
    this.feature = feature;
  }

  /** @return the backend that refused */
  public String backend() {
    return backend;
  }

  /** @return the feature that was refused */
  public Feature feature() {
    return feature;
  }
}
