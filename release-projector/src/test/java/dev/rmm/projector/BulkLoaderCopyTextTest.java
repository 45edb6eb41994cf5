package dev.rmm.projector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.testsupport.PostgresTestResource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The rebuild's COPY keeps every character whole (found by a clean-clone build: a rebuild reported
 * 2 timeline differences for an event with hostile text, intermittently). The driver's {@code
 * copyIn(String, Reader)} encodes each 64K-character buffer on its own, so a character outside the
 * BMP whose surrogate pair straddled a buffer's end was stored as two '?'. Against a real
 * PostgreSQL.
 */
class BulkLoaderCopyTextTest {

  private static final PostgresTestResource POSTGRES = new PostgresTestResource();
  private static Map<String, String> config;

  @BeforeAll
  static void start() {
    config = POSTGRES.start();
  }

  @AfterAll
  static void stop() {
    POSTGRES.stop();
  }

  @Test
  void givenACharacterOutsideTheBmpAcrossTheDriversBufferEnd_whenCopied_thenItIsStoredWhole()
      throws Exception {
    // the pair's high half is the 65,536th character of the COPY text, its low half the next
    String value = "x".repeat(65_535) + "\uD83D\uDE00 end";
    try (Connection c =
            DriverManager.getConnection(
                config.get("quarkus.datasource.jdbc.url"),
                config.get("quarkus.datasource.username"),
                config.get("quarkus.datasource.password"));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE copied (v text)");

      BulkLoader.copyText(
          c.unwrap(PGConnection.class).getCopyAPI(),
          "copied",
          new StringBuilder(value).append('\n'));

      try (ResultSet r = s.executeQuery("SELECT v FROM copied")) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1)).isEqualTo(value);
      }
    }
  }
}
