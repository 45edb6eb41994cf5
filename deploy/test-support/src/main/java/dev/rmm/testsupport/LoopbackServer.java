package dev.rmm.testsupport;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/** The JDK HTTP server behind the fakes of outside APIs: loopback, a free port, daemon threads. */
final class LoopbackServer {

  private LoopbackServer() {}

  static HttpServer start(String name, HttpHandler handler) {
    try {
      // small answers go out at once, not after the client's delayed ACK (Nagle): read by the
      // JDK's HTTP server when its first instance is made
      System.setProperty("sun.net.httpserver.nodelay", "true");
      HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      s.setExecutor(
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
              }));
      s.createContext("/", handler);
      // started from a daemon thread, the server's dispatcher thread is a daemon too: a fake
      // never keeps a JVM alive
      Thread starter = new Thread(s::start, name + "-start");
      starter.setDaemon(true);
      starter.start();
      starter.join();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + name, e);
    }
  }
}
