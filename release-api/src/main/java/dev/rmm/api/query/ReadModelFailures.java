package dev.rmm.api.query;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a read-model failure that PostgreSQL being away causes (refused or closed connections, a
 * server shutting down or starting up, a pool that found no connection in time) from one that a
 * query itself causes. The first kind is temporary and answered 503; the second is a bug.
 */
final class ReadModelFailures {

  private ReadModelFailures() {}

  /**
   * Whether the pool's failure {@code t} (as the client reports it, unwrapped) says PostgreSQL is
   * away. Only {@code t} itself is judged: an error of ours that wraps an IOException (unreadable
   * JSON) is no outage.
   */
  static boolean isUnreachable(Throwable t) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (c instanceof PgException pe) {
      return isServerAway(pe.getSqlState());
    }
    // the pool's own failures: connect refused (an IOException), connection closed (a
    // VertxException), no connection in time; the database's answers are PgExceptions
    return c instanceof IOException || c instanceof TimeoutException || c instanceof VertxException;
  }

  /**
   * SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, crash shutdown, cannot connect
   * now: starting up or shutting down) and class 53 (out of connections or resources).
   */
  static boolean isServerAway(String sqlState) {
    return sqlState != null
        && (sqlState.startsWith("08")
            || sqlState.startsWith("53")
            || sqlState.equals("57P01")
            || sqlState.equals("57P02")
            || sqlState.equals("57P03"));
  }
}
