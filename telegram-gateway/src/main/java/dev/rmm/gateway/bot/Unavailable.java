package dev.rmm.gateway.bot;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a store that could not be reached (Redis down, a connection closed or timed out) from a
 * failure of the update itself: the first is worth handling again later, the second is not (it
 * would fail the same way every time and hold up the updates behind it).
 */
final class Unavailable {

  private Unavailable() {}

  static boolean is(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException
          || t instanceof TimeoutException
          || t instanceof io.smallrye.mutiny.TimeoutException
          || t instanceof io.vertx.sqlclient.ClosedConnectionException
          || t instanceof io.vertx.sqlclient.DatabaseException d && serverUnavailable(d)
          || t instanceof io.vertx.core.VertxException && mentionsConnection(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * PostgreSQL's SQLSTATE classes for a server that is going away or not there yet: 08 connection
   * exception, 57P01-57P03 shut down or starting up, 53 out of resources (too many connections).
   */
  private static boolean serverUnavailable(io.vertx.sqlclient.DatabaseException d) {
    String state = d.getSqlState();
    return state != null
        && (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53"));
  }

  private static boolean mentionsConnection(Throwable t) {
    String m = t.getMessage();
    return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("connection");
  }
}
