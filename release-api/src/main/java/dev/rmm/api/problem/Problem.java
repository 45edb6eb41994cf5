package dev.rmm.api.problem;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.TextRules;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * RFC 9457 problem details ({@code application/problem+json}): every error answer of the API is one
 * of these, with a {@code detail} that says what was wrong and what to do.
 */
public final class Problem {

  public static final String MEDIA_TYPE = "application/problem+json";
  private static final String TYPE_BASE = "https://rmm.dev/problems/";

  private Problem() {}

  public static Response of(int status, String slug, String title, String detail) {
    return of(status, slug, title, detail, Map.of());
  }

  /**
   * @param slug last part of the problem type URI, e.g. {@code illegal-transition}
   * @param extra extension members (RFC 9457 section 3.2), e.g. {@code current_status}
   */
  public static Response of(
      int status, String slug, String title, String detail, Map<String, ?> extra) {
    return Response.status(status)
        .type(MEDIA_TYPE)
        .entity(node(status, slug, title, detail, extra).toString())
        .build();
  }

  /** A problem body for answers written below JAX-RS (on the Vert.x router). */
  public record Json(int status, String body) {}

  public static Json json(int status, String slug, String title, String detail) {
    return new Json(status, node(status, slug, title, detail, Map.of()).toString());
  }

  private static ObjectNode node(
      int status, String slug, String title, String detail, Map<String, ?> extra) {
    ObjectNode n = EventCodec.mapper().createObjectNode();
    n.put("type", TYPE_BASE + slug);
    n.put("title", title);
    n.put("status", status);
    // untrusted text quoted in a detail (a parser's message) never carries a control character
    n.put("detail", TextRules.escape(detail));
    extra.forEach((k, v) -> n.set(k, EventCodec.mapper().valueToTree(v)));
    return n;
  }

  public static Response badRequest(String detail) {
    return of(400, "bad-request", "Bad request", detail);
  }
}
