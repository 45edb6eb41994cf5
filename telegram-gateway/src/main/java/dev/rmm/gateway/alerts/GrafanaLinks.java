package dev.rmm.gateway.alerts;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Grafana Explore links for an alert: the trace in the Tempo datasource (uid {@code tempo}) and the
 * logs in the Loki datasource (uid {@code loki}) that contain the trace id (or the release id when
 * there is no trace), each over the two hours around the failure.
 */
final class GrafanaLinks {

  static final String TEMPO_UID = "tempo";
  static final String LOKI_UID = "loki";
  private static final Duration AROUND = Duration.ofHours(1);

  private GrafanaLinks() {}

  /** Explore showing the trace with this id. */
  static String trace(String grafanaUrl, String traceId, Instant at) {
    String query =
        "{\"refId\":\"A\",\"datasource\":{\"type\":\"tempo\",\"uid\":\""
            + TEMPO_UID
            + "\"},\"queryType\":\"traceql\",\"query\":\""
            + json(traceId)
            + "\"}";
    return explore(grafanaUrl, TEMPO_UID, query, at);
  }

  /** Explore showing every service's log lines that contain {@code needle}. */
  static String logs(String grafanaUrl, String needle, Instant at) {
    String expr = "{service_name=~\".+\"} |= \"" + needle.replace("\"", "") + "\"";
    String query =
        "{\"refId\":\"A\",\"datasource\":{\"type\":\"loki\",\"uid\":\""
            + LOKI_UID
            + "\"},\"expr\":\""
            + json(expr)
            + "\"}";
    return explore(grafanaUrl, LOKI_UID, query, at);
  }

  private static String explore(String grafanaUrl, String datasource, String query, Instant at) {
    String panes =
        "{\"a\":{\"datasource\":\""
            + datasource
            + "\",\"queries\":["
            + query
            + "],\"range\":{\"from\":\""
            + at.minus(AROUND).toEpochMilli()
            + "\",\"to\":\""
            + at.plus(AROUND).toEpochMilli()
            + "\"}}}";
    String base =
        grafanaUrl.endsWith("/") ? grafanaUrl.substring(0, grafanaUrl.length() - 1) : grafanaUrl;
    return base
        + "/explore?schemaVersion=1&orgId=1&panes="
        + URLEncoder.encode(panes, StandardCharsets.UTF_8);
  }

  /** The string as the inside of a JSON string literal. */
  private static String json(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
