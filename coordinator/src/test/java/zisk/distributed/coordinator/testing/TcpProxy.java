package zisk.distributed.coordinator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder between a client and a server that a test can cut and restore, to make a database
 * (or a coordinator) unreachable for real without stopping it. It can also fall silent: every
 * connection stays open but nothing gets through either way, and new connections are accepted and
 * held without reaching the server, as when a network drops packets (no FIN, no reset).
 */
public final class TcpProxy implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final int port;
  private volatile ServerSocket listener;
  private volatile boolean silent;

  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.listener = listen(0);
    this.port = listener.getLocalPort();
    acceptLoop(listener);
  }

  public int port() {
    return port;
  }

  /** Drops every connection and refuses new ones. */
  public synchronized void cut() {
    closeQuietly(listener);
    for (Socket socket : open) {
      closeQuietly(socket);
    }
    open.clear();
  }

  /**
   * Stops forwarding without closing anything: bytes sent either way are read and dropped, and new
   * connections are accepted but never reach the server.
   */
  public synchronized void silence() {
    silent = true;
  }

  /**
   * Ends the silence as a network that heals after its peers gave up: every connection that lived
   * through it (whose bytes were dropped) is closed, and new ones are forwarded again.
   */
  public synchronized void heal() {
    silent = false;
    for (Socket socket : open) {
      closeQuietly(socket);
    }
    open.clear();
  }

  public boolean isSilent() {
    return silent;
  }

  /** Accepts connections again on the same port. */
  public synchronized void restore() {
    listener = listen(port);
    acceptLoop(listener);
  }

  @Override
  public void close() {
    cut();
  }

  private static ServerSocket listen(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void acceptLoop(ServerSocket server) {
    Thread thread =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket client = server.accept();
                  if (silent) {
                    open.add(client);
                    pump(client, null);
                    continue;
                  }
                  Socket upstream = new Socket(targetHost, targetPort);
                  open.add(client);
                  open.add(upstream);
                  pump(client, upstream);
                  pump(upstream, client);
                } catch (IOException e) {
                  // listener closed by cut(), or the target refused: the client sees a closed
                  // connection
                }
              }
            },
            "tcp-proxy-accept-" + port);
    thread.setDaemon(true);
    thread.start();
  }

  /** Copies {@code from} to {@code to} (null: nowhere) until either side closes. */
  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16384];
              try (InputStream in = from.getInputStream()) {
                OutputStream out = to == null ? null : to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                  if (silent || out == null) {
                    continue; // dropped, as by a network that lost the packets
                  }
                  out.write(buffer, 0, read);
                  out.flush();
                }
              } catch (IOException e) {
                // either side went away
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      if (closeable != null) {
        closeable.close();
      }
    } catch (Exception e) {
      // already closed
    }
  }
}
