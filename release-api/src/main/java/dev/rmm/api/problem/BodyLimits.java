package dev.rmm.api.problem;

import dev.rmm.api.RmmApiConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses a body over the limit (rmm.api.max-body-bytes, 16 KiB) before it is read, with a 413
 * problem+json answer. It runs ahead of Quarkus' own check of quarkus.http.limits.max-body-size,
 * which answers 413 with no body at all, and ahead of authentication, so a stranger cannot make the
 * server read megabytes.
 *
 * <p>A body of unknown length (chunked) is refused with 411: its size is known only once it has
 * been read, and past Quarkus' hard limit the answer would again be an empty 413. Pipelines and
 * tools send small JSON bodies with a Content-Length.
 */
@ApplicationScoped
public class BodyLimits {

  /** Before Quarkus' body size check (order -2). */
  private static final int ORDER = -3;

  private final long maxBody;

  BodyLimits(RmmApiConfig config) {
    this.maxBody = config.api().maxBodyBytes();
  }

  void install(@Observes Router router) {
    router.route().order(ORDER).handler(this::check);
  }

  private void check(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && parseLength(length) > maxBody) {
      refuse(
          rc,
          Problem.json(
              413,
              "payload-too-large",
              "Payload too large",
              "the body has " + parseLength(length) + " bytes; the limit is " + maxBody));
    } else if (length == null && request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      refuse(
          rc,
          Problem.json(
              411,
              "length-required",
              "Length required",
              "send the body with a Content-Length header (at most "
                  + maxBody
                  + " bytes); bodies of unknown length are not accepted"));
    } else {
      rc.next();
    }
  }

  /** Answers and closes the connection: the unread body is not wanted. */
  private static void refuse(RoutingContext rc, Problem.Json problem) {
    rc.response()
        .setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(problem.body());
  }

  private static long parseLength(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
