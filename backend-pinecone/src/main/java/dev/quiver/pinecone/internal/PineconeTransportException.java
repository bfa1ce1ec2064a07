package dev.quiver.pinecone.internal;

import java.io.IOException;

/** A call that got no HTTP answer: connection refused or reset, or its deadline passed. The cause says which. */
public final class PineconeTransportException extends RuntimeException {

  /**
   * @param host the host the call went to
   * @param cause what OkHttp threw
   */
  public PineconeTransportException(String host, IOException cause) {
    super("no answer from " + host + ": " + cause, cause);
  }

  @Override
  public synchronized IOException getCause() {
    return (IOException) super.getCause();
  }
}
