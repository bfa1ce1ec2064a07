package dev.quiver.milvus.internal;

import dev.quiver.DeadlineExceededException;
import dev.quiver.Secret;
import dev.quiver.UnavailableException;
import io.milvus.shaded.io.grpc.Context;
import io.milvus.shaded.io.grpc.Deadline;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.client.RetryConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A store's connection to Milvus: one SDK client, made on first use and made afresh after a failure
 * that may have broken it ({@link #discard}), so a store handle recovers from a restarted server or a
 * dead connection without being reopened, and never waits out gRPC's reconnect backoff (which grows
 * to minutes) once the server is back.
 *
 * <p>Before each connect the port is probed with a plain TCP connect: the SDK's connect call waits
 * for the channel to become ready until its timeout, so without the probe a refused port would take
 * the whole connect timeout to fail instead of milliseconds.
 *
 * <p>The SDK's {@code ConnectConfig} prints the token in its {@code toString}, so it is built only
 * inside {@link #connect} and never kept.
 */
public final class Connection implements AutoCloseable {

  /** Settings of the connection. */
  public record Settings(String host, int port, boolean tls, Secret token, String database, Duration deadline,
      Duration connectTimeout) {
    @Override
    public String toString() {
      return "Settings[" + host + ":" + port + ", tls=" + tls + ", token=" + (token == null ? "none" : "***") + "]";
    }
  }

  private final Settings settings;
  private final String label;
  private final AtomicReference<MilvusClientV2> current = new AtomicReference<>();
  private volatile boolean closed;

  /**
   * @param settings where and how to connect
   * @param label the store's label for messages (no credentials)
   */
  public Connection(Settings settings, String label) {
    this.settings = settings;
    this.label = label;
  }

  /**
   * @return the client, connecting first if there is none; the connect is bounded by the connect
   *     timeout and by the deadline of the current gRPC context
   * @throws dev.quiver.VectorStoreException when the server cannot be reached (mapped by {@link Errors})
   */
  public MilvusClientV2 client() {
    while (true) {
      MilvusClientV2 c = current.get();
      if (c != null) {
        return c;
      }
      if (closed) {
        throw new UnavailableException("the connection to " + label + " is closed", null);
      }
      // Connect without holding a lock: a caller never waits for another caller's connect beyond its own deadline.
      MilvusClientV2 fresh = connect();
      if (current.compareAndSet(null, fresh)) {
        if (closed) {
          discard(fresh);
          throw new UnavailableException("the connection to " + label + " is closed", null);
        }
        return fresh;
      }
      quietlyClose(fresh);
    }
  }

  /**
   * Drops a client after a failure that may have broken its connection; the next {@link #client()}
   * connects afresh. Calls still running on it fail with a transient error and are retried.
   *
   * @param broken the client the failure came from
   */
  public void discard(MilvusClientV2 broken) {
    if (current.compareAndSet(broken, null)) {
      quietlyClose(broken);
    }
  }

  private MilvusClientV2 connect() {
    long timeoutMs = boundedByDeadline(settings.connectTimeout().toMillis());
    probe(timeoutMs);
    ConnectConfig.ConnectConfigBuilder cfg = ConnectConfig.builder()
        .uri((settings.tls() ? "https://" : "http://") + settings.host() + ":" + settings.port())
        .secure(settings.tls())
        .connectTimeoutMs(timeoutMs)
        .rpcDeadlineMs(settings.deadline().toMillis());
    if (settings.token() != null) {
      cfg.token(settings.token().reveal());
    }
    if (settings.database() != null) {
      cfg.dbName(settings.database());
    }
    MilvusClientV2 c;
    try {
      c = new MilvusClientV2(cfg.build());
    } catch (RuntimeException e) {
      throw Errors.map(e, "connect to " + label, null);
    }
    // One retry layer only: RemoteCalls. maxRetryTimes(1) makes the SDK send each RPC exactly once.
    c.retryConfig(RetryConfig.builder().maxRetryTimes(1).build());
    return c;
  }

  /** Fails at once on a refused port or an unknown host, instead of after the connect timeout. */
  private void probe(long timeoutMs) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(settings.host());
    } catch (IOException e) {
      throw new UnavailableException("cannot connect to " + label + ": cannot resolve the host (" + e + ")",
          Errors.keepable(e));
    }
    IOException last = null;
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    for (InetAddress a : addresses) {
      long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
      if (left <= 0) {
        break;
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(a, settings.port()), (int) Math.min(Integer.MAX_VALUE, left));
        return;
      } catch (IOException e) {
        last = e;
      }
    }
    throw new UnavailableException("cannot connect to " + label + ": " + (last == null
        ? "no answer within " + timeoutMs + " ms" : last.getClass().getSimpleName() + ": " + last.getMessage()),
        last == null ? null : Errors.keepable(last));
  }

  /** @return {@code millis}, or less if the current gRPC context's deadline comes sooner */
  private long boundedByDeadline(long millis) {
    Deadline d = Context.current().getDeadline();
    if (d == null) {
      return millis;
    }
    long left = d.timeRemaining(TimeUnit.MILLISECONDS);
    if (left <= 0) {
      throw new DeadlineExceededException("no time left to connect to " + label + " within the call's deadline", null);
    }
    return Math.min(millis, left);
  }

  /** Closes the client; later {@link #client()} calls fail. */
  @Override
  public void close() {
    closed = true;
    MilvusClientV2 c = current.getAndSet(null);
    if (c != null) {
      quietlyClose(c);
    }
  }

  private static void quietlyClose(MilvusClientV2 c) {
    try {
      c.close(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException ignored) {
      // closing a broken client may fail; it is dropped either way
    }
  }

  @Override
  public String toString() {
    return "Connection[" + label + "]";
  }
}
