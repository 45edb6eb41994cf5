package dev.rmm.projector;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Compares two read-model schemas table by table: for each table, the number of rows in one and not
 * the other (both directions). Zero everywhere means the two are identical.
 */
public final class ReadModelDiff {

  private static final Logger LOG = Logger.getLogger(ReadModelDiff.class);

  /** Rows of each side logged when a table differs, so that a difference explains itself. */
  private static final int ROWS_LOGGED = 3;

  /** A logged row is cut to this many characters (a timeline row's data can be large). */
  private static final int ROW_CHARS = 2_000;

  static final String[] TABLES = {
    "releases", "approvals", "release_events", "projection_positions", "delivery_metrics"
  };

  private ReadModelDiff() {}

  public static Map<String, Long> compare(Pool pg, String a, String b) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String t : TABLES) {
      String sql =
          "SELECT (SELECT count(*) FROM (SELECT * FROM "
              + a
              + "."
              + t
              + " EXCEPT SELECT * FROM "
              + b
              + "."
              + t
              + ") x) + (SELECT count(*) FROM (SELECT * FROM "
              + b
              + "."
              + t
              + " EXCEPT SELECT * FROM "
              + a
              + "."
              + t
              + ") y) AS n";
      long n = pg.query(sql).execute().await().indefinitely().iterator().next().getLong("n");
      out.put(t, n);
      if (n > 0) {
        logDifferingRows(pg, t, a, b);
        logDifferingRows(pg, t, b, a);
      }
    }
    return out;
  }

  /**
   * Logs a few rows of {@code table} that {@code in} holds and {@code notIn} does not, as JSON (so
   * control characters a row may hold are escaped): which column differs is what a reader of a
   * failed comparison needs, and a rebuild that differs only now and then leaves nothing else.
   */
  private static void logDifferingRows(Pool pg, String table, String in, String notIn) {
    String sql =
        "SELECT to_jsonb(x)::text AS row FROM (SELECT * FROM "
            + in
            + "."
            + table
            + " EXCEPT SELECT * FROM "
            + notIn
            + "."
            + table
            + ") x LIMIT "
            + ROWS_LOGGED;
    for (Row r : pg.query(sql).execute().await().indefinitely()) {
      String row = r.getString("row");
      LOG.warnf(
          "%s.%s holds a row %s does not: %s",
          in, table, notIn, row.length() > ROW_CHARS ? row.substring(0, ROW_CHARS) + "…" : row);
    }
  }
}
