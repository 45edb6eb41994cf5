package dev.rmm.gateway.outage;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis server (as {@code RedisTestResource} starts it) that a test can stop and start again
 * on the same port, for outages: {@link #stopServer()} kills it, {@link #startServer()} brings up
 * an empty one (no persistence, as a Redis that lost its data). One per JVM at a time.
 */
public class RestartableRedis implements QuarkusTestResourceLifecycleManager {

  private static int port;
  private static RedisServer server;

  @Override
  public Map<String, String> start() {
    try {
      port = freePortBelowEphemeralRange();
    } catch (IOException e) {
      throw new IllegalStateException("no port for Redis", e);
    }
    startServer();
    return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + port);
  }

  @Override
  public void stop() {
    stopServer();
  }

  /** Starts the server on its port (again). */
  public static synchronized void startServer() {
    if (server != null) {
      return;
    }
    try {
      ExecutableProvider exe;
      try {
        exe = ExecutableProvider.newExecutableInPath("redis-server");
      } catch (FileNotFoundException notInstalled) {
        exe = ExecutableProvider.newJarResourceProvider();
      }
      RedisServer s =
          RedisServer.newRedisServer()
              .executableProvider(exe)
              .bind("127.0.0.1")
              .port(port)
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      s.start();
      server = s;
    } catch (IOException e) {
      throw new IllegalStateException("could not start Redis on port " + port, e);
    }
  }

  /** Stops the server: every Redis call fails until {@link #startServer()}. */
  public static synchronized void stopServer() {
    if (server == null) {
      return;
    }
    try {
      server.stop();
    } catch (IOException e) {
      throw new IllegalStateException("could not stop Redis", e);
    }
    server = null;
  }

  /** A port below the ephemeral range, so no outgoing connection takes it while Redis is down. */
  private static int freePortBelowEphemeralRange() throws IOException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int p = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (ServerSocket s = new ServerSocket(p, 0, InetAddress.getLoopbackAddress())) {
        return p;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free loopback port between 20000 and 32000");
  }
}
