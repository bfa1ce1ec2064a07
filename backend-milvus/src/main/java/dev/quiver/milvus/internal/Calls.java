package dev.quiver.milvus.internal;

import dev.quiver.VectorStoreException;
import dev.quiver.spi.RemoteCalls;
import dev.quiver.spi.RemotePolicy;
import io.milvus.shaded.io.grpc.Context;
import io.milvus.shaded.io.grpc.Deadline;
import io.milvus.v2.client.MilvusClientV2;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How a Milvus store calls the server: the shared {@link RemotePolicy} (carried out by
 * {@link RemoteCalls}, with {@link Errors} deciding what is transient) under one deadline per call.
 *
 * <p>The deadline covers the whole call, retries and reconnects included: it is set on a gRPC
 * {@link Context}, which every RPC the SDK sends from this thread obeys (the SDK shades gRPC, so it
 * is the SDK's own {@code Context}). The policy's call budget is the same deadline, so no retry is
 * started that could not finish in time. A failure that may have broken the connection discards the
 * client ({@link Connection#discard}); the next attempt connects afresh.
 */
public final class Calls {

  /** Fires the deadlines of gRPC contexts; one daemon thread for all stores. */
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private final RemoteCalls remote;
  private final Connection connection;
  private final Duration deadline;

  /**
   * @param connection the store's connection
   * @param maxAttempts attempts of an idempotent call (1 = no retry)
   * @param deadline the longest one call may take, retries included
   */
  public Calls(Connection connection, int maxAttempts, Duration deadline) {
    this.connection = connection;
    this.deadline = deadline;
    RemotePolicy policy = RemotePolicy.DEFAULT.withMaxAttempts(maxAttempts).withCallBudget(deadline);
    this.remote = new RemoteCalls("Milvus", policy, Errors::map);
  }

  /** @return the deadline of one call */
  public Duration deadline() {
    return deadline;
  }

  /**
   * Runs an idempotent call (reads, upserts with caller ids, deletes), retrying transient failures
   * within the deadline.
   *
   * @param op the operation name
   * @param collection the Quiver collection, or {@code null}
   * @param call the SDK call
   * @param <T> its result
   * @return the result
   */
  public <T> T idempotent(String op, String collection, Function<MilvusClientV2, T> call) {
    return within(() -> remote.idempotent(op, collection, () -> attempt(op, collection, call)));
  }

  /**
   * Runs a call once (not safe to repeat, for example create collection).
   *
   * @param op the operation name
   * @param collection the Quiver collection, or {@code null}
   * @param call the SDK call
   * @param <T> its result
   * @return the result
   */
  public <T> T once(String op, String collection, Function<MilvusClientV2, T> call) {
    return within(() -> remote.once(op, collection, () -> attempt(op, collection, call)));
  }

  /**
   * Runs {@code body} under one deadline: calls made inside share it (a nested call cannot extend it).
   *
   * @param body what to run
   * @param <T> its result
   * @return the result
   */
  public <T> T within(Supplier<T> body) {
    Context.CancellableContext ctx = Context.current().withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS, TIMER);
    Context previous = ctx.attach();
    try {
      return body.get();
    } finally {
      ctx.detach(previous);
      ctx.cancel(null);
    }
  }

  /** @return nanoseconds left of the current call's deadline ({@link #deadline()} outside of a call) */
  public long remainingNanos() {
    Deadline d = Context.current().getDeadline();
    return d == null ? deadline.toNanos() : d.timeRemaining(TimeUnit.NANOSECONDS);
  }

  private <T> T attempt(String op, String collection, Function<MilvusClientV2, T> call) {
    MilvusClientV2 client = connection.client();
    try {
      return call.apply(client);
    } catch (RuntimeException e) {
      VectorStoreException mapped = Errors.map(e, op, collection);
      if (Errors.mayHaveBrokenTheConnection(mapped)) {
        connection.discard(client);
      }
      throw mapped;
    }
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "quiver-milvus-deadlines");
      thread.setDaemon(true);
      return thread;
    });
    t.setRemoveOnCancelPolicy(true); // a call that ends in time leaves no timer task behind
    return t;
  }
}
