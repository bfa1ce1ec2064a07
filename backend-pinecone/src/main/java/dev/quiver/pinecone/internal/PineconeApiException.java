package dev.quiver.pinecone.internal;

/**
 * What Pinecone answered when a call failed (or answered with a body that is not JSON): HTTP status,
 * Pinecone's error code and message, the request id and the {@code Retry-After} header. It is the
 * vendor error {@link PineconeErrors} maps into Quiver's tree, and stays attached as the cause so
 * nothing Pinecone said is lost.
 */
public final class PineconeApiException extends RuntimeException {

  /** Longest part of Pinecone's message that is kept. */
  static final int MAX_MESSAGE = 500;

  private final int status;
  private final String code;
  private final String requestId;
  private final String retryAfter;

  /**
   * @param status HTTP status
   * @param code Pinecone's error code (a name such as {@code NOT_FOUND} or a gRPC number), or empty
   * @param message Pinecone's message (cut to {@value #MAX_MESSAGE} characters)
   * @param requestId the {@code x-pinecone-request-id} header, or {@code null}
   * @param retryAfter the {@code Retry-After} header, or {@code null}
   */
  public PineconeApiException(int status, String code, String message, String requestId, String retryAfter) {
    super("HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": " + cut(message)
        + (requestId == null ? "" : " (request id " + requestId + ")"));
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }

  private static String cut(String message) {
    return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "..." : message;
  }

  /** @return the HTTP status */
  public int status() {
    return status;
  }

  /** @return Pinecone's error code, or empty */
  public String code() {
    return code;
  }

  /** @return Pinecone's request id, or {@code null} */
  public String requestId() {
    return requestId;
  }

  /** @return the {@code Retry-After} header, or {@code null} */
  public String retryAfter() {
    return retryAfter;
  }
}
