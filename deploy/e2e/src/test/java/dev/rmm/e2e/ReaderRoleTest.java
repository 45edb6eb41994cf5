package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.local.LocalPostgres;
import dev.rmm.local.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compose.yaml's read-only role (deploy/postgres/reader-role.sql, run by the postgres image on a
 * new volume), tried on a real PostgreSQL: release-api and the gateway, connected as {@code
 * rmm_reader}, can read every table the projector creates later, also after a rebuild swaps in a
 * new schema, and can change nothing.
 */
class ReaderRoleTest {

  @TempDir static Path dir;
  private static LocalPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = new LocalPostgres(dir.resolve("pg"), Ports.free()).start();
    String script =
        Files.readString(ComposeProject.deployDir().resolve("postgres/reader-role.sql"))
            // what psql does with -v reader_password=...
            .replace(":'reader_password'", "'reader-secret'");
    try (Connection c = owner();
        Statement s = c.createStatement()) {
      s.execute(script);
      // later, the projector (as the owner) migrates and fills its schema
      s.execute("CREATE SCHEMA read_model_v1");
      s.execute("CREATE TABLE read_model_v1.releases (id text PRIMARY KEY, status text)");
      s.execute("INSERT INTO read_model_v1.releases VALUES ('r-1', 'deployed')");
    }
  }

  @AfterAll
  static void stop() {
    postgres.close();
  }

  @Test
  void givenTheReaderRole_thenItReadsWhatTheProjectorCreatedLater() throws Exception {
    try (Connection c = reader();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT status FROM read_model_v1.releases WHERE id = 'r-1'")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getString(1)).isEqualTo("deployed");
    }
  }

  @Test
  void givenTheReaderRole_thenItCannotChangeTheReadModel() throws Exception {
    try (Connection c = reader();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("INSERT INTO read_model_v1.releases VALUES ('x', 'y')"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("permission denied");
      assertThatThrownBy(() -> s.execute("DELETE FROM read_model_v1.releases"))
          .hasMessageContaining("permission denied");
      assertThatThrownBy(() -> s.execute("DROP TABLE read_model_v1.releases"))
          .hasMessageContaining("must be owner");
      assertThatThrownBy(() -> s.execute("CREATE TABLE read_model_v1.mine (x int)"))
          .hasMessageContaining("permission denied");
    }
  }

  @Test
  void givenARebuildIntoANewSchema_thenTheReaderReadsItToo() throws Exception {
    try (Connection c = owner();
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA rebuilt");
      s.execute("CREATE TABLE rebuilt.releases (id text PRIMARY KEY, status text)");
      s.execute("INSERT INTO rebuilt.releases VALUES ('r-2', 'approved')");
    }
    try (Connection c = reader();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM rebuilt.releases")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getInt(1)).isEqualTo(1);
    }
  }

  private static Connection owner() throws SQLException {
    return DriverManager.getConnection(
        postgres.jdbcUrl(), LocalPostgres.USER, LocalPostgres.PASSWORD);
  }

  private static Connection reader() throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), "rmm_reader", "reader-secret");
  }
}
