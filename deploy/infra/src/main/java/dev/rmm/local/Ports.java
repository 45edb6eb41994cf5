package dev.rmm.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback TCP ports: a free one for tests, and a clear refusal when a fixed one is taken. */
public final class Ports {

  private Ports() {}

  /** Below Linux's ephemeral range (32768-60999), so no outgoing connection is given the port. */
  private static final int LOW = 20_000;

  private static final int HIGH = 32_000;
  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A port that nothing listens on right now (tests use these to run next to a local stack). It is
   * taken below the ephemeral range: a port the kernel hands out (port 0) can be given to one of
   * the many outgoing client connections before the server that wanted it binds it.
   */
  public static int free() {
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(LOW, HIGH);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      } catch (IOException taken) {
        continue;
      }
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new UncheckedIOException(
        new IOException("no free loopback port between " + LOW + " and " + HIGH));
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
