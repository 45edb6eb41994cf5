package dev.rmm.projector;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import java.time.Instant;

/**
 * The {@code releases.break_glass} column (V14): the release's last break-glass for the card (who
 * forced it, why, until when, who confirmed it, whether it expired) and how many requests,
 * confirmations and expiries the release had, which the delivery metrics sum per service.
 *
 * <p>Every value comes from the events, never the clock, so a rebuild gives the same row. A request
 * nobody confirmed has no event when it lapses; it counts as expired at the first later event of
 * the release whose time is at or past its {@code expires_at} (or at {@code
 * release.break-glass-expired}), which is how the decider judges it too.
 */
final class BreakGlassColumn {

  private BreakGlassColumn() {}

  /** The column after {@code e}; the same object, changed, or a new one. */
  static ObjectNode apply(ObjectNode column, EventEnvelope e) {
    ReleaseEvent d = e.data();
    Instant at = e.occurredAt();
    ObjectNode c = lapseIfDue(column, at);
    if (d instanceof ReleaseEvent.BreakGlassRequested r) {
      ObjectNode n = EventCodec.mapper().createObjectNode();
      n.put("requests", count(c, "requests") + 1);
      n.put("confirmations", count(c, "confirmations"));
      n.put("expiries", count(c, "expiries"));
      n.put("requested_by", r.requestedBy());
      n.put("requested_by_name", r.requestedByName());
      n.put("reason", r.reason());
      n.put("tag", r.tag());
      n.put("commit_sha", r.commitSha());
      n.put("requested_at", at.toString());
      n.put("expires_at", r.expiresAt() == null ? null : r.expiresAt().toString());
      n.put("state", "awaiting");
      return n;
    }
    if (d instanceof ReleaseEvent.BreakGlassConfirmed r) {
      ObjectNode n = c == null ? EventCodec.mapper().createObjectNode() : c;
      if (c == null) {
        n.put("requests", 1);
        n.put("expiries", 0);
        n.put("requested_by", r.requestedBy());
        n.put("requested_by_name", r.requestedByName());
        n.put("reason", r.reason());
      }
      n.put("confirmations", count(c, "confirmations") + 1);
      n.put("confirmed_by", r.confirmedBy());
      n.put("confirmed_by_name", r.confirmedByName());
      n.put("confirmed_at", at.toString());
      n.put("state", "confirmed");
      return n;
    }
    if (d instanceof ReleaseEvent.BreakGlassExpired && c != null && awaiting(c)) {
      return expired(c, at);
    }
    return c;
  }

  /** A request still awaiting confirmation whose time ran out by {@code at} becomes expired. */
  private static ObjectNode lapseIfDue(ObjectNode c, Instant at) {
    if (c == null || !awaiting(c) || c.path("expires_at").isNull() || !c.has("expires_at")) {
      return c;
    }
    Instant expiresAt = Instant.parse(c.get("expires_at").asText());
    return at.isBefore(expiresAt) ? c : expired(c, expiresAt);
  }

  private static ObjectNode expired(ObjectNode c, Instant at) {
    c.put("state", "expired");
    c.put("expired_at", at.toString());
    c.put("expiries", count(c, "expiries") + 1);
    return c;
  }

  private static boolean awaiting(ObjectNode c) {
    return "awaiting".equals(c.path("state").asText());
  }

  private static long count(ObjectNode c, String field) {
    return c == null ? 0 : c.path(field).asLong(0);
  }
}
