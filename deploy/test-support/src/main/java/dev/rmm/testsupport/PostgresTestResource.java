package dev.rmm.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.Map;

/**
 * A real PostgreSQL server from Maven Central binaries (io.zonky.test), on a free port, for one
 * test application. Both the reactive URL and the JDBC URL (Flyway) are set.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

  private EmbeddedPostgres pg;

  @Override
  public Map<String, String> start() {
    try {
      pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start();
      String hostPort = "127.0.0.1:" + pg.getPort() + "/postgres";
      return Map.of(
          "quarkus.datasource.reactive.url",
          "postgresql://" + hostPort,
          "quarkus.datasource.jdbc.url",
          "jdbc:postgresql://" + hostPort,
          "quarkus.datasource.username",
          "postgres",
          "quarkus.datasource.password",
          "postgres");
    } catch (Exception e) {
      throw new IllegalStateException("could not start embedded PostgreSQL", e);
    }
  }

  @Override
  public void stop() {
    if (pg != null) {
      try {
        pg.close();
      } catch (Exception e) {
        throw new IllegalStateException("could not stop embedded PostgreSQL", e);
      }
    }
  }
}
