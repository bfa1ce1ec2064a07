package dev.quiver.qdrant.internal;

import dev.quiver.DeadlineExceededException;
import dev.quiver.spi.RemoteCalls;
import dev.quiver.spi.RemotePolicy;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.qdrant.client.grpc.PointsGrpc;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The adapter's only way to the server: blocking stubs with the API key as call credentials, the
 * shared {@link RemotePolicy} (retries of idempotent calls, one circuit breaker) carried out by
 * {@link RemoteCalls}, with {@link Errors} as the error mapper. The policy's call budget is the
 * call's deadline: each attempt gets what is left of it, so a call never outlives its budget.
 */
public final class Rpc implements AutoCloseable {

  /** The header Qdrant reads the API key from. */
  public static final Metadata.Key<String> API_KEY = Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);

  /** The least time an attempt is given; below it the budget counts as spent. */
  private static final long MIN_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final CallCredentials credentials;
  private final RemoteCalls calls;
  private final ThreadLocal<Long> callDeadline = new ThreadLocal<>();

  /**
   * @param channel the channel to Qdrant
   * @param ownsChannel whether {@link #close()} shuts it down
   * @param apiKey the API key, or {@code null}
   * @param policy retries, breaker and the call budget (each call's deadline)
   */
  public Rpc(ManagedChannel channel, boolean ownsChannel, String apiKey, RemotePolicy policy) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.credentials = apiKey == null ? null : new ApiKeyCredentials(apiKey);
    this.calls = new RemoteCalls("Qdrant", policy, Errors::map);
  }

  /** @return the policy in force */
  public RemotePolicy policy() {
    return calls.policy();
  }

  /** @return a Points stub with the current call's deadline and credentials */
  public PointsGrpc.PointsBlockingStub points() {
    return prepare(PointsGrpc.newBlockingStub(channel));
  }

  /** @return a Collections stub with the current call's deadline and credentials */
  public CollectionsGrpc.CollectionsBlockingStub collections() {
    return prepare(CollectionsGrpc.newBlockingStub(channel));
  }

  private <S extends AbstractStub<S>> S prepare(S stub) {
    Long deadline = callDeadline.get();
    long left = deadline == null ? calls.policy().callBudget().toNanos() : deadline - System.nanoTime();
    S s = stub.withDeadlineAfter(Math.max(left, MIN_ATTEMPT_NANOS), TimeUnit.NANOSECONDS);
    return credentials == null ? s : s.withCallCredentials(credentials);
  }

  /**
   * Runs a call that is safe to repeat, retrying transient failures within the call budget.
   *
   * @param op the operation, for messages
   * @param collection the collection, or {@code null}
   * @param body the call; it builds its stub with {@link #points()} or {@link #collections()}
   * @param <T> the result type
   * @return the result
   */
  public <T> T idempotent(String op, String collection, Supplier<T> body) {
    return withDeadline(() -> calls.idempotent(op, collection, () -> attempt(op, body)));
  }

  /**
   * Runs a call once (not safe to repeat: a create or drop that took effect but timed out).
   *
   * @param op the operation, for messages
   * @param collection the collection, or {@code null}
   * @param body the call
   * @param <T> the result type
   * @return the result
   */
  public <T> T once(String op, String collection, Supplier<T> body) {
    return withDeadline(() -> calls.once(op, collection, () -> attempt(op, body)));
  }

  /**
   * Wraps a call so that a gRPC error it recognises becomes a result instead of an exception (for
   * example NOT_FOUND "No point with id" as {@code false}).
   *
   * @param body the call
   * @param onStatus returns a result for a gRPC error, or {@code null} to let it propagate
   * @param <T> the result type
   * @return the wrapped call
   */
  public static <T> Supplier<T> or(Supplier<T> body, Function<StatusRuntimeException, T> onStatus) {
    return () -> {
      try {
        return body.get();
      } catch (StatusRuntimeException e) {
        T v = onStatus.apply(e);
        if (v == null) {
          throw e;
        }
        return v;
      }
    };
  }

  /** One call, with its deadline, on this thread (the stubs read it). */
  private <T> T withDeadline(Supplier<T> call) {
    Long outer = callDeadline.get();
    if (outer != null) {
      return call.get(); // nested: keep the outer call's deadline
    }
    callDeadline.set(System.nanoTime() + calls.policy().callBudget().toNanos());
    try {
      return call.get();
    } finally {
      callDeadline.remove();
    }
  }

  private <T> T attempt(String op, Supplier<T> body) {
    if (callDeadline.get() - System.nanoTime() < MIN_ATTEMPT_NANOS) {
      throw new DeadlineExceededException("Qdrant " + op + ": the call's deadline of "
          + calls.policy().callBudget().toMillis() + " ms passed before the attempt", null);
    }
    try {
      return body.get();
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
        // grpc-java waits out an exponential reconnect backoff (up to 2 min) after a failed connect;
        // a server that is back should be used by the next attempt, not minutes later
        channel.resetConnectBackoff();
      }
      throw e;
    }
  }

  @Override
  public void close() {
    if (ownsChannel) {
      channel.shutdown();
      try {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Sends the API key in the {@code api-key} header. Prints as {@code ***}. */
  static final class ApiKeyCredentials extends CallCredentials {
    private final String key;

    ApiKeyCredentials(String key) {
      this.key = key;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      Metadata headers = new Metadata();
      headers.put(API_KEY, key);
      applier.apply(headers);
    }

    @Override
    public String toString() {
      return "ApiKeyCredentials[***]";
    }
  }
}
