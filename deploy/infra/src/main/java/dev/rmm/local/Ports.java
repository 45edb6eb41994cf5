package dev.rmm.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback TCP ports: a free one for tests, and a clear refusal when a fixed one is taken. */
public final class Ports {

  private Ports() {}

  /** A port that nothing listens on right now (tests use these to run next to a local stack). */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("could not find a free loopback port", e);
    }
  }

  /**
   * Fails with a message that says what to do when {@code port} is taken.
   *
   * @param what the server that wants the port, for the message
   * @param portVariable the environment variable that moves it elsewhere
   */
  public static void requireFree(int port, String what, String portVariable) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (IOException e) {
      throw new PortInUseException(
          "port "
              + port
              + " is in use: is another stack running? set "
              + portVariable
              + " to run "
              + what
              + " on another port");
    }
  }

  /** A port the stack needs is taken by another process. */
  public static final class PortInUseException extends IllegalStateException {
    PortInUseException(String message) {
      super(message);
    }
  }
}
