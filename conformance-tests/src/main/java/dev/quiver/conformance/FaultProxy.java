package dev.quiver.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on loopback that injects network faults between a remote adapter and its server, for
 * tests of how an adapter fails and recovers: pass traffic through, delay it, reset every
 * connection, or swallow it (a black hole: connections are accepted and bytes read, but nothing is
 * forwarded or answered, as with a dead host behind a live load balancer). Modes can change at any
 * time; {@link #resetAll()} cuts the connections that are open.
 */
public final class FaultProxy implements AutoCloseable {

  /** What the proxy does with traffic. */
  public enum Mode {
    /** Forward both ways. */
    PASS,
    /** Forward both ways, each chunk held back by {@link #delayMillis(int)}. */
    DELAY,
    /** Accept and close at once with a TCP reset; open connections are reset too. */
    RESET,
    /**
     * A partition: connections are accepted but nothing moves either way until the mode changes;
     * nothing is lost (as TCP loses nothing), so traffic held back flows on when the partition heals.
     */
    BLACK_HOLE
  }

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Mode mode = Mode.PASS;
  private volatile int delayMillis;

  /**
   * Starts a proxy on a free loopback port.
   *
   * @param targetHost the server's host (loopback)
   * @param targetPort the server's port
   * @throws IOException if no port can be bound
   */
  public FaultProxy(String targetHost, int targetPort) throws IOException {
    this.target = new InetSocketAddress(targetHost, targetPort);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** @return the port clients connect to */
  public int port() {
    return server.getLocalPort();
  }

  /** @return the current mode */
  public Mode mode() {
    return mode;
  }

  /**
   * @param newMode the mode from now on; RESET and BLACK_HOLE also affect open connections
   * @return this proxy
   */
  public FaultProxy mode(Mode newMode) {
    this.mode = newMode;
    if (newMode == Mode.RESET) {
      resetAll();
    }
    return this;
  }

  /**
   * @param millis how long DELAY holds each chunk
   * @return this proxy
   */
  public FaultProxy delayMillis(int millis) {
    this.delayMillis = millis;
    return this;
  }

  /** Resets every open connection (the client sees a connection reset). */
  public void resetAll() {
    for (Socket s : sockets) {
      abort(s);
    }
  }

  private void acceptLoop() {
    while (!closed.get()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (mode == Mode.RESET) {
        abort(client);
        continue;
      }
      sockets.add(client);
      Thread t = new Thread(() -> connect(client), "fault-proxy-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      waitWhileBlackHole(); // a partitioned host never answers the connect
      if (mode == Mode.RESET) {
        abort(client);
        return;
      }
      upstream.connect(target, 5_000);
      sockets.add(upstream);
      Thread back = new Thread(() -> pump(upstream, client), "fault-proxy-down");
      back.setDaemon(true);
      back.start();
      pump(client, upstream);
    } catch (IOException | InterruptedException e) {
      abort(client);
      abort(upstream);
    }
  }

  private void waitWhileBlackHole() throws InterruptedException {
    while (mode == Mode.BLACK_HOLE && !closed.get()) {
      Thread.sleep(5);
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buf = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while (true) {
        waitWhileBlackHole(); // hold traffic back, never drop it
        n = in.read(buf);
        if (n < 0) {
          break;
        }
        waitWhileBlackHole();
        Mode m = mode;
        if (m == Mode.RESET) {
          break;
        }
        if (m == Mode.DELAY && delayMillis > 0) {
          Thread.sleep(delayMillis);
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // a reset or close on either side ends the pump
    } finally {
      if (mode == Mode.RESET) {
        abort(from);
        abort(to);
      } else {
        close(from);
        close(to);
      }
    }
  }

  private void abort(Socket s) {
    try {
      if (!s.isClosed()) {
        s.setSoLinger(true, 0); // close with RST instead of FIN
        s.close();
      }
    } catch (SocketException ignored) {
      // already gone
    } catch (IOException ignored) {
      // already gone
    }
    sockets.remove(s);
  }

  private void close(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
    sockets.remove(s);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        server.close();
      } catch (IOException ignored) {
        // already closed
      }
      resetAll();
    }
  }
}
