package dev.quiver.pinecone.emulator;

import java.io.IOException;
import java.net.InetAddress;

/**
 * Server sockets whose accepted connections have Nagle's algorithm off. Without TCP_NODELAY every
 * response waits ~40 ms: MockWebServer writes headers and body in separate segments, and Nagle holds
 * the second until the client's delayed ACK of the first.
 */
final class NoDelayServerSocketFactory extends javax.net.ServerSocketFactory {
  @Override
  public java.net.ServerSocket createServerSocket() throws IOException {
    return new NoDelayServerSocket();
  }

  @Override
  public java.net.ServerSocket createServerSocket(int port) throws IOException {
    java.net.ServerSocket s = new NoDelayServerSocket();
    s.bind(new java.net.InetSocketAddress(port));
    return s;
  }

  @Override
  public java.net.ServerSocket createServerSocket(int port, int backlog) throws IOException {
    java.net.ServerSocket s = new NoDelayServerSocket();
    s.bind(new java.net.InetSocketAddress(port), backlog);
    return s;
  }

  @Override
  public java.net.ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
    java.net.ServerSocket s = new NoDelayServerSocket();
    s.bind(new java.net.InetSocketAddress(address, port), backlog);
    return s;
  }

  private static final class NoDelayServerSocket extends java.net.ServerSocket {
    NoDelayServerSocket() throws IOException {
      super();
    }

    @Override
    public java.net.Socket accept() throws IOException {
      java.net.Socket s = super.accept();
      s.setTcpNoDelay(true);
      return s;
    }
  }
}
