package dev.rmm.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.FileNotFoundException;
import java.net.ServerSocket;
import java.util.Map;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis server on a free loopback port: the machine's redis-server when installed, else the
 * binary bundled in com.github.codemonstur:embedded-redis. No persistence.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {

  private RedisServer redis;

  @Override
  public Map<String, String> start() {
    try {
      int port = freePortBelowEphemeralRange();
      ExecutableProvider exe;
      try {
        exe = ExecutableProvider.newExecutableInPath("redis-server");
      } catch (FileNotFoundException notInstalled) {
        exe = ExecutableProvider.newJarResourceProvider();
      }
      redis =
          RedisServer.newRedisServer()
              .executableProvider(exe)
              .bind("127.0.0.1")
              .port(port)
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      redis.start();
      return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + port);
    } catch (Exception e) {
      throw new IllegalStateException("could not start Redis", e);
    }
  }

  /**
   * The server binds its port only once its process runs: a port below the kernel's ephemeral range
   * (32768+) cannot meanwhile be handed to an outgoing connection of the test JVM.
   */
  private static int freePortBelowEphemeralRange() throws java.io.IOException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (ServerSocket s = new ServerSocket(port, 0, java.net.InetAddress.getLoopbackAddress())) {
        return port;
      } catch (java.io.IOException taken) {
        // try another
      }
    }
    throw new java.io.IOException("no free loopback port between 20000 and 32000");
  }

  @Override
  public void stop() {
    if (redis != null) {
      try {
        redis.stop();
      } catch (Exception e) {
        throw new IllegalStateException("could not stop Redis", e);
      }
    }
  }
}
