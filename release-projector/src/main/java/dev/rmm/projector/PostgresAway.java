package dev.rmm.projector;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.sql.SQLException;

/**
 * Whether a failure means PostgreSQL is away (refused or closed connections, a server shutting down
 * or starting up) rather than a fault of the work itself: the first kind is answered 503 with
 * Retry-After, since the same request works once the server is back.
 */
final class PostgresAway {

  private PostgresAway() {}

  static boolean causedBy(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof SQLException s && isServerAway(s.getSQLState())) {
        return true;
      }
      if (c instanceof PgException p) {
        return isServerAway(p.getSqlState());
      }
      // the reactive pool's own failures (connection closed) and a refused connect
      if (c instanceof ConnectException || (c instanceof VertxException && c.getCause() == null)) {
        return true;
      }
    }
    return false;
  }

  /** SQLSTATE class 08 (connection exception), 57P01-57P03 (shut down, starting up), 53 (none). */
  private static boolean isServerAway(String state) {
    return state != null
        && (state.startsWith("08")
            || state.startsWith("53")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03"));
  }
}
