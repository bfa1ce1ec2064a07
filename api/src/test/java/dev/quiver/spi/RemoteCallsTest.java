package dev.quiver.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.BackendException;
import dev.quiver.InvalidArgumentException;
import dev.quiver.RateLimitedException;
import dev.quiver.UnavailableException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RemoteCallsTest {

  private static final RemotePolicy FAST =
      new RemotePolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(5), 4, Duration.ofMillis(300));

  private static RemoteCalls calls(RemotePolicy p) {
    return new RemoteCalls("test", p, (e, op, c) -> e instanceof IllegalStateException
        ? new UnavailableException(op + ": " + e.getMessage(), e)
        : new BackendException(op + ": " + e.getMessage(), e));
  }

  @Test
  @DisplayName("an idempotent call is retried on transient errors up to maxAttempts; a once-call is not")
  void retries() {
    RemoteCalls rc = calls(FAST.withMaxAttempts(3));
    AtomicInteger n = new AtomicInteger();
    assertEquals("ok", rc.idempotent("get", "c", () -> {
      if (n.incrementAndGet() < 3) {
        throw new IllegalStateException("down");
      }
      return "ok";
    }));
    assertEquals(3, n.get());
    n.set(0);
    assertThrows(UnavailableException.class, () -> rc.once("create", "c", () -> {
      n.incrementAndGet();
      throw new IllegalStateException("down");
    }));
    assertEquals(1, n.get());
  }

  @Test
  @DisplayName("non-transient errors are never retried")
  void nonTransient() {
    RemoteCalls rc = calls(FAST);
    AtomicInteger n = new AtomicInteger();
    assertThrows(InvalidArgumentException.class, () -> rc.idempotent("get", "c", () -> {
      n.incrementAndGet();
      throw new InvalidArgumentException("bad");
    }));
    assertEquals(1, n.get());
  }

  @Test
  @DisplayName("the breaker opens after N transient failures in a row, fails at once while open, and lets a probe through later")
  void breaker() throws Exception {
    RemoteCalls rc = calls(FAST.withMaxAttempts(1));
    AtomicInteger n = new AtomicInteger();
    for (int i = 0; i < 4; i++) {
      assertThrows(UnavailableException.class, () -> rc.idempotent("get", "c", () -> {
        n.incrementAndGet();
        throw new IllegalStateException("down");
      }));
    }
    UnavailableException open = assertThrows(UnavailableException.class, () -> rc.idempotent("get", "c", () -> {
      n.incrementAndGet();
      return "ok";
    }));
    assertEquals(4, n.get(), "not attempted while open");
    assertTrue(open.getMessage().contains("circuit breaker"), open.getMessage());
    Thread.sleep(400);
    assertEquals("ok", rc.idempotent("get", "c", () -> "ok"));
  }

  @Test
  @DisplayName("a rate-limited call waits at least its Retry-After before the next attempt")
  void retryAfter() {
    RemoteCalls rc = calls(FAST);
    AtomicInteger n = new AtomicInteger();
    long start = System.nanoTime();
    rc.idempotent("upsert", "c", () -> {
      if (n.incrementAndGet() == 1) {
        throw new RateLimitedException("429", Duration.ofMillis(200), null);
      }
      return null;
    });
    assertTrue(System.nanoTime() - start >= 200_000_000L, "waited for Retry-After");
  }

  @Test
  @DisplayName("retries stop when the call budget would be exceeded")
  void budget() {
    RemotePolicy p = new RemotePolicy(10, Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofMillis(500), 0,
        Duration.ofSeconds(1));
    RemoteCalls rc = calls(p);
    AtomicInteger n = new AtomicInteger();
    assertThrows(UnavailableException.class, () -> rc.idempotent("get", "c", () -> {
      n.incrementAndGet();
      throw new IllegalStateException("down");
    }));
    assertTrue(n.get() < 10, "stopped early: " + n.get());
  }
}
