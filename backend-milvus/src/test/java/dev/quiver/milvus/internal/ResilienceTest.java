package dev.quiver.milvus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.DeadlineExceededException;
import dev.quiver.InvalidArgumentException;
import dev.quiver.RateLimitedException;
import dev.quiver.UnavailableException;
import io.milvus.shaded.io.grpc.Status;
import io.milvus.v2.exception.ErrorCode;
import io.milvus.v2.exception.MilvusClientException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Error mapping and the single retry layer (no server needed). */
class ResilienceTest {

  private static MilvusClientException rpc(Status status) {
    return new MilvusClientException(ErrorCode.RPC_ERROR, status.asRuntimeException());
  }

  @Test
  void errorsMapToTheQuiverTree() {
    assertInstanceOf(CollectionNotFoundException.class, Errors.map(new MilvusClientException(ErrorCode.SERVER_ERROR,
        "collection 'x' does not exist", 100, 4), "query", "x"));
    assertInstanceOf(DeadlineExceededException.class, Errors.map(rpc(Status.DEADLINE_EXCEEDED), "query", "x"));
    assertInstanceOf(UnavailableException.class, Errors.map(rpc(Status.UNAVAILABLE), "query", "x"));
    assertInstanceOf(AuthenticationException.class, Errors.map(rpc(Status.UNAUTHENTICATED), "query", "x"));
    assertInstanceOf(RateLimitedException.class, Errors.map(new MilvusClientException(ErrorCode.SERVER_ERROR,
        "rate limit exceeded", 8, 49), "upsert", "x"));
    assertInstanceOf(BackendException.class, Errors.map(rpc(Status.RESOURCE_EXHAUSTED
        .withDescription("Received message larger than max (1 vs. 0)")), "upsert", "x"));
    assertInstanceOf(InvalidArgumentException.class, Errors.map(new MilvusClientException(ErrorCode.INVALID_PARAMS,
        "The field: vec is not provided."), "upsert", "x"));
    BackendException lite = (BackendException) Errors.map(new MilvusClientException(ErrorCode.CLIENT_ERROR,
        "java.lang.IllegalArgumentException: Can't get the number of an unknown enum value."), "query", "x");
    assertEquals(false, lite.isTransient());
    assertInstanceOf(BackendException.class, Errors.map(new IllegalStateException("boom"), "query", null));
  }

  @Test
  void idempotentCallsRetryTransientFailuresOnly() {
    Calls calls = new Calls("t", 3, Duration.ofMillis(1));
    AtomicInteger n = new AtomicInteger();
    assertEquals("ok", calls.idempotent("get", "c", () -> {
      if (n.incrementAndGet() < 3) {
        throw rpc(Status.UNAVAILABLE);
      }
      return "ok";
    }));
    assertEquals(3, n.get());

    n.set(0);
    assertThrows(UnavailableException.class, () -> calls.idempotent("get", "c", () -> {
      n.incrementAndGet();
      throw rpc(Status.UNAVAILABLE);
    }));
    assertEquals(3, n.get(), "gives up after maxAttempts");

    n.set(0);
    assertThrows(CollectionNotFoundException.class, () -> calls.idempotent("get", "c", () -> {
      n.incrementAndGet();
      throw new MilvusClientException(ErrorCode.SERVER_ERROR, "collection not found", 100, 4);
    }));
    assertEquals(1, n.get(), "non-transient failures are not retried");

    n.set(0);
    assertThrows(DeadlineExceededException.class, () -> calls.once("create", "c", () -> {
      n.incrementAndGet();
      throw rpc(Status.DEADLINE_EXCEEDED);
    }));
    assertEquals(1, n.get(), "non-idempotent calls run once");
  }
}
