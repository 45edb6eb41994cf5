package dev.rmm.projector;

import io.vertx.mutiny.sqlclient.Pool;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compares two read-model schemas table by table: for each table, the number of rows in one and not
 * the other (both directions). Zero everywhere means the two are identical.
 */
public final class ReadModelDiff {

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
      out.put(t, pg.query(sql).execute().await().indefinitely().iterator().next().getLong("n"));
    }
    return out;
  }
}
