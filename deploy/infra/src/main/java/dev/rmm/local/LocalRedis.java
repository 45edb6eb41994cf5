package dev.rmm.local;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis server on loopback: the machine's {@code redis-server} when it is on the PATH, else
 * the binary bundled in com.github.codemonstur:embedded-redis. Nothing is persisted: the gateway
 * keeps only short-lived de-duplication keys and sessions there.
 */
public final class LocalRedis implements AutoCloseable {

  public static final int DEFAULT_PORT = 6379;
  public static final String PORT_VARIABLE = "RMM_REDIS_PORT";

  private static final Logger LOG = LoggerFactory.getLogger(LocalRedis.class);

  private final int port;
  private RedisServer server;
  private String binary;

  /**
   * @param port the port on 127.0.0.1
   */
  public LocalRedis(int port) {
    this.port = port;
  }

  public synchronized LocalRedis start() {
    if (server != null) {
      return this;
    }
    requirePortFree();
    try {
      ExecutableProvider executable;
      try {
        executable = ExecutableProvider.newExecutableInPath("redis-server");
        binary = "redis-server from the PATH";
      } catch (FileNotFoundException notInstalled) {
        executable = ExecutableProvider.newJarResourceProvider();
        binary = "redis-server bundled in embedded-redis";
      }
      RedisServer starting =
          RedisServer.newRedisServer()
              .executableProvider(executable)
              .bind("127.0.0.1")
              .port(port)
              .setting("save \"\"")
              .setting("appendonly no")
              .soutListener(line -> LOG.info("redis: {}", line))
              .serrListener(line -> LOG.warn("redis: {}", line))
              .build();
      starting.start();
      server = starting;
      return this;
    } catch (IOException e) {
      throw new IllegalStateException("could not start Redis on port " + port, e);
    }
  }

  /** Fails with a message that says what to do when the port is taken. */
  public void requirePortFree() {
    Ports.requireFree(port, "Redis", PORT_VARIABLE);
  }

  public synchronized void stop() {
    if (server != null) {
      try {
        server.stop();
      } catch (IOException e) {
        throw new IllegalStateException("could not stop Redis on port " + port, e);
      } finally {
        server = null;
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  public int port() {
    return port;
  }

  /** For {@code quarkus.redis.hosts}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Which redis-server binary runs, for the summary. */
  public String binary() {
    return binary;
  }
}
