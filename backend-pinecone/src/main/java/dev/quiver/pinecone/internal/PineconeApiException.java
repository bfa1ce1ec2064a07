package dev.quiver.pinecone.internal;

/**
 * The vendor error behind a Quiver exception: HTTP status, Pinecone's error code and message (scrubbed
 * of the API key) and the request id, kept as the cause so nothing Pinecone said is lost.
 */
public final class PineconeApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final String requestId;

  /**
   * @param status HTTP status
   * @param code Pinecone's error code (a name such as {@code NOT_FOUND} or a gRPC number), or empty
   * @param message Pinecone's message
   * @param requestId the {@code x-pinecone-request-id} header, or {@code null}
   */
  public PineconeApiException(int status, String code, String message, String requestId) {
    super("HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": " + message
        + (requestId == null ? "" : " (request id " + requestId + ")"));
    this.status = status;
    this.code = code;
    this.requestId = requestId;
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
}
