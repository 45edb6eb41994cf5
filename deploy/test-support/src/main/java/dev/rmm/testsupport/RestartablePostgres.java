package dev.rmm.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real PostgreSQL server (as {@link PostgresTestResource} starts it) that a test can stop and
 * start again on the same port and data directory, for outages: {@link #stopServer()} shuts it down
 * (every query fails, open connections are closed), {@link #startServer()} brings it back with its
 * data. The data lives under {@code target/}. One per JVM at a time.
 */
public class RestartablePostgres implements QuarkusTestResourceLifecycleManager {

  private static int port;
  private static Path data;
  private static EmbeddedPostgres server;

  @Override
  public Map<String, String> start() {
    try {
      port = freePortBelowEphemeralRange();
      Files.createDirectories(Path.of("target"));
      data = Files.createTempDirectory(Path.of("target"), "restartable-postgres-");
    } catch (IOException e) {
      throw new IllegalStateException("no port or data directory for PostgreSQL", e);
    }
    startServer();
    String hostPort = "127.0.0.1:" + port + "/postgres";
    return Map.of(
        "quarkus.datasource.reactive.url",
        "postgresql://" + hostPort,
        "quarkus.datasource.jdbc.url",
        "jdbc:postgresql://" + hostPort,
        "quarkus.datasource.username",
        "postgres",
        "quarkus.datasource.password",
        "postgres");
  }

  @Override
  public void stop() {
    stopServer();
  }

  /** Starts the server on its port and data directory (again). */
  public static synchronized void startServer() {
    if (server != null) {
      return;
    }
    try {
      server =
          EmbeddedPostgres.builder()
              .setPort(port)
              .setDataDirectory(data)
              .setCleanDataDirectory(false) // a restart keeps the data, as a real server does
              .setServerConfig("fsync", "off")
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start PostgreSQL on port " + port, e);
    }
  }

  /** Stops the server: every query fails until {@link #startServer()}. */
  public static synchronized void stopServer() {
    if (server == null) {
      return;
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new IllegalStateException("could not stop PostgreSQL on port " + port, e);
    }
    server = null;
  }

  /**
   * A port below the ephemeral range, so no outgoing connection takes it while the server is down.
   */
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
