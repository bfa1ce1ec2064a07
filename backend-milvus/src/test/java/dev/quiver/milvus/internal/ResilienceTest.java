package dev.quiver.milvus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.DeadlineExceededException;
import dev.quiver.InvalidArgumentException;
import dev.quiver.RateLimitedException;
import dev.quiver.Secret;
import dev.quiver.UnavailableException;
import dev.quiver.VectorStoreException;
import dev.quiver.spi.RemoteCalls;
import dev.quiver.spi.RemotePolicy;
import io.milvus.shaded.io.grpc.Status;
import io.milvus.v2.exception.ErrorCode;
import io.milvus.v2.exception.MilvusClientException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The Milvus error mapper and the shared retry policy carried out with it (no server needed). */
class ResilienceTest {

  private static MilvusClientException rpc(Status status) {
    return new MilvusClientException(ErrorCode.RPC_ERROR, status.asRuntimeException());
  }

  private static MilvusClientException server(int code, String reason) {
    return new MilvusClientException(ErrorCode.SERVER_ERROR, reason, code, 0);
  }

  private static VectorStoreException map(RuntimeException e) {
    return Errors.map(e, "query", "x");
  }

  @Test
  void grpcStatusesMapToTheQuiverTree() {
    assertInstanceOf(DeadlineExceededException.class, map(rpc(Status.DEADLINE_EXCEEDED)));
    assertInstanceOf(UnavailableException.class, map(rpc(Status.UNAVAILABLE)));
    assertInstanceOf(UnavailableException.class, map(rpc(Status.ABORTED)));
    assertInstanceOf(UnavailableException.class, map(rpc(Status.CANCELLED)));
    assertInstanceOf(AuthenticationException.class, map(rpc(Status.UNAUTHENTICATED)));
    assertInstanceOf(AuthenticationException.class, map(rpc(Status.PERMISSION_DENIED)));
    assertInstanceOf(RateLimitedException.class, map(rpc(Status.RESOURCE_EXHAUSTED)));
    assertInstanceOf(BackendException.class, map(rpc(Status.RESOURCE_EXHAUSTED
        .withDescription("Received message larger than max (1 vs. 0)"))));
    assertInstanceOf(BackendException.class, map(rpc(Status.INTERNAL)));
    assertInstanceOf(BackendException.class, map(rpc(Status.UNIMPLEMENTED)));
    // the SDK's connect throws gRPC's exception unwrapped
    assertInstanceOf(DeadlineExceededException.class, map(Status.DEADLINE_EXCEEDED.asRuntimeException()));
    assertInstanceOf(UnavailableException.class, map(Status.UNAVAILABLE.asRuntimeException()));
  }

  @Test
  void serverCodesMapToTheQuiverTree() {
    assertInstanceOf(CollectionNotFoundException.class, map(server(100, "collection not found[collection=x]")));
    assertInstanceOf(CollectionNotFoundException.class, map(server(4, "collection 'x' does not exist")));
    for (int code : new int[] {1, 2, 12, 103, 106}) {
      VectorStoreException e = map(server(code, "busy"));
      assertInstanceOf(UnavailableException.class, e, "code " + code);
    }
    assertInstanceOf(RateLimitedException.class, map(server(8, "rate limit exceeded")));
    assertInstanceOf(RateLimitedException.class, map(server(4, "request limit exceeded")));
    assertInstanceOf(AuthenticationException.class, map(server(1400, "not authenticated")));
    assertInstanceOf(AuthenticationException.class, map(server(1401, "privilege not permitted")));
    assertInstanceOf(BackendException.class, map(server(1100, "invalid parameter")));
    assertInstanceOf(BackendException.class, map(server(101, "collection not loaded")));
    assertInstanceOf(DeadlineExceededException.class, map(new MilvusClientException(ErrorCode.TIMEOUT, "retry timeout")));
    assertInstanceOf(InvalidArgumentException.class, map(new MilvusClientException(ErrorCode.INVALID_PARAMS,
        "The field: vec is not provided.")));
    BackendException lite = (BackendException) map(new MilvusClientException(ErrorCode.CLIENT_ERROR,
        "java.lang.IllegalArgumentException: Can't get the number of an unknown enum value."));
    assertFalse(lite.isTransient());
    assertInstanceOf(BackendException.class, Errors.map(new IllegalStateException("boom"), "query", null));
    assertInstanceOf(AuthenticationException.class, Errors.map(new RuntimeException(
        "Failed to initialize connection. Error: auth check failure, please check username and password"), "connect", null));
    VectorStoreException same = new UnavailableException("already mapped", null);
    assertSame(same, Errors.map(same, "query", "x"));
  }

  @Test
  void notLoadedAndBrokenConnectionsAreRecognised() {
    assertTrue(Errors.mayMeanNotLoaded(map(server(101, "collection not loaded[collection=1]"))));
    assertTrue(Errors.mayMeanNotLoaded(map(new MilvusClientException(ErrorCode.CLIENT_ERROR,
        new IllegalArgumentException("Can't get the number of an unknown enum value.")))), "Milvus Lite's refusal");
    assertFalse(Errors.mayMeanNotLoaded(map(server(100, "collection not found"))));
    assertFalse(Errors.mayMeanNotLoaded(map(rpc(Status.UNAVAILABLE))));
    assertTrue(Errors.mayHaveBrokenTheConnection(map(rpc(Status.UNAVAILABLE))));
    assertTrue(Errors.mayHaveBrokenTheConnection(map(rpc(Status.DEADLINE_EXCEEDED))));
    assertFalse(Errors.mayHaveBrokenTheConnection(map(server(8, "rate limit exceeded"))));
    assertFalse(Errors.mayHaveBrokenTheConnection(map(server(100, "collection not found"))));
  }

  @Test
  void theMapperDecidesWhatTheSharedPolicyRetries() {
    RemoteCalls calls = new RemoteCalls("Milvus", RemotePolicy.DEFAULT.withMaxAttempts(3)
        .withCallBudget(Duration.ofSeconds(5)), Errors::map);
    AtomicInteger n = new AtomicInteger();
    assertEquals("ok", calls.idempotent("get", "c", () -> {
      if (n.incrementAndGet() < 3) {
        throw rpc(Status.UNAVAILABLE);
      }
      return "ok";
    }));
    assertEquals(3, n.get());

    n.set(0);
    assertThrows(CollectionNotFoundException.class, () -> calls.idempotent("get", "c", () -> {
      n.incrementAndGet();
      throw server(100, "collection not found");
    }));
    assertEquals(1, n.get(), "non-transient failures are not retried");

    n.set(0);
    assertThrows(DeadlineExceededException.class, () -> calls.once("create", "c", () -> {
      n.incrementAndGet();
      throw rpc(Status.DEADLINE_EXCEEDED);
    }));
    assertEquals(1, n.get(), "calls that are not idempotent run once");
  }

  @Test
  void aCauseWithoutAMessageIsKeptAsACopyWithOne() {
    RuntimeException clean = rpc(Status.UNAVAILABLE);
    assertSame(clean, Errors.keepable(clean));
    RuntimeException netty = new MilvusClientException(ErrorCode.RPC_ERROR,
        Status.UNAVAILABLE.withCause(new java.nio.channels.ClosedChannelException()).asRuntimeException());
    VectorStoreException mapped = Errors.map(netty, "query", "x");
    assertInstanceOf(UnavailableException.class, mapped);
    for (Throwable t = mapped; t != null; t = t.getCause()) {
      assertTrue(t.getMessage() != null, "every link has a message: " + t.getClass());
    }
    Throwable root = mapped;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    assertTrue(root.getMessage().startsWith("java.nio.channels.ClosedChannelException"), root.getMessage());
  }

  @Test
  void theOpenPathDropsAnExceptionThatCarriesTheToken() {
    Secret token = Secret.of("planted-s3cret");
    RuntimeException clean = new UnavailableException("cannot connect", null);
    assertSame(clean, Errors.withoutSecret(clean, token));
    assertSame(clean, Errors.withoutSecret(clean, null));
    RuntimeException leaky = new AuthenticationException("refused planted-s3cret",
        new RuntimeException("echo planted-s3cret"));
    RuntimeException scrubbed = Errors.withoutSecret(leaky, token);
    assertInstanceOf(AuthenticationException.class, scrubbed);
    assertEquals("refused ***", scrubbed.getMessage());
    assertNull(scrubbed.getCause());
    RuntimeException deep = Errors.withoutSecret(new UnavailableException("down",
        new RuntimeException("x", new RuntimeException("planted-s3cret"))), token);
    assertInstanceOf(UnavailableException.class, deep);
    assertNull(deep.getCause());
  }
}
