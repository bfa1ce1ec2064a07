package dev.quiver;

/** The backend rejected the credentials (missing, wrong or expired key or token). Never contains the secret. */
public final class AuthenticationException extends NonTransientVectorStoreException {

  /**
   * @param message what was rejected
   * @param cause the vendor error, or {@code null}
   */
  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
