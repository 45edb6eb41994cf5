package dev.rmm.contracts.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.EventCodec;
import java.io.IOException;
import java.time.Instant;

/**
 * Reads and writes {@link Alert}s on the alerts topic: one JSON object with a stable {@code type}
 * ({@value #TYPE}) and snake_case fields; absent optional fields are left out. Unknown fields are
 * ignored on read, so older readers accept newer, compatible alerts.
 */
public final class AlertCodec {

  /** The wire type of today's alert shape. */
  public static final String TYPE = "rmm.alert.v1";

  private AlertCodec() {}

  public static byte[] encode(Alert a) {
    try {
      return EventCodec.mapper().writeValueAsBytes(toJson(a));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode alert " + a.id(), e);
    }
  }

  public static ObjectNode toJson(Alert a) {
    ObjectNode n = EventCodec.mapper().createObjectNode();
    n.put("type", TYPE);
    n.put("id", a.id());
    n.put("kind", a.kind());
    n.put("fingerprint", a.fingerprint());
    n.put("source", a.source());
    putIfPresent(n, "release_id", a.releaseId());
    putIfPresent(n, "service", a.service());
    putIfPresent(n, "tag", a.tag());
    n.put("summary", a.summary());
    putIfPresent(n, "detail", a.detail());
    putIfPresent(n, "trace_id", a.traceId());
    n.put("occurred_at", a.occurredAt().toString());
    return n;
  }

  /**
   * @throws IllegalArgumentException when the bytes are not an alert this version reads
   */
  public static Alert decode(byte[] json) {
    JsonNode n;
    try {
      n = EventCodec.mapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("an alert must be JSON: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("an alert must be a JSON object");
    }
    if (!TYPE.equals(n.path("type").asText())) {
      throw new IllegalArgumentException(
          "unknown alert type '" + n.path("type").asText() + "'; this version reads " + TYPE);
    }
    try {
      return new Alert(
          required(n, "id"),
          required(n, "kind"),
          required(n, "fingerprint"),
          required(n, "source"),
          optional(n, "release_id"),
          optional(n, "service"),
          optional(n, "tag"),
          required(n, "summary"),
          optional(n, "detail"),
          optional(n, "trace_id"),
          Instant.parse(required(n, "occurred_at")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bad " + TYPE + ": " + e.getMessage(), e);
    }
  }

  private static String required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return v.asText();
  }

  private static String optional(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static void putIfPresent(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }
}
