package dev.rmm.contracts.ops;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * Something failed and people should know: a service's consumer error, a failed dispatch or
 * rollback, a release that stopped moving. Services publish alerts on the alerts topic; the
 * telegram-gateway posts them to the alerts chat, one message per {@link #fingerprint()} and
 * window, edited with a counter when the same failure repeats.
 *
 * <p>Alerts are operational signals, not part of the release log: they are never replayed into the
 * read model. {@code detail} is short and must never hold a secret (the publisher clips it).
 *
 * @param id unique per occurrence (a redelivered alert is counted once)
 * @param kind what failed: {@link #CONSUMER_ERROR}, {@link #DISPATCH_FAILED}, {@link
 *     #ROLLBACK_FAILED}, {@link #PRODUCTION_FAILED}, {@link #STAGE_FAILED}, {@link #STUCK_RELEASE},
 *     or another short name
 * @param fingerprint what makes two alerts "the same failure": stable parts only (kind, service,
 *     release id or consumer group, error class), never a message with variable numbers in it
 * @param source the service that noticed, e.g. {@code release-projector}
 * @param releaseId the release concerned, or null
 * @param service the released service's name, or null
 * @param tag the release's tag, or null
 * @param summary one line: what failed
 * @param detail a short explanation (an error message, GitHub's answer), or null
 * @param traceId the W3C trace id (32 hex characters) of the work that failed, or null
 * @param occurredAt when it happened
 */
public record Alert(
    String id,
    String kind,
    String fingerprint,
    String source,
    String releaseId,
    String service,
    String tag,
    String summary,
    String detail,
    String traceId,
    Instant occurredAt) {

  public static final String CONSUMER_ERROR = "consumer-error";
  public static final String DISPATCH_FAILED = "dispatch-failed";
  public static final String ROLLBACK_FAILED = "rollback-failed";
  public static final String PRODUCTION_FAILED = "production-failed";
  public static final String STAGE_FAILED = "stage-failed";
  public static final String STUCK_RELEASE = "stuck-release";

  /** An admin forced an approval, a second admin confirmed it, or it expired (not a failure). */
  public static final String BREAK_GLASS = "break-glass";

  /** The longest {@link #detail()} kept: an alert is a pointer to the logs, not a log. */
  public static final int MAX_DETAIL = 500;

  public Alert {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(occurredAt, "occurredAt");
    detail = clip(detail);
  }

  /**
   * A service's consumer failed on a batch or a record.
   *
   * @param consumer the consumer group or loop that failed
   */
  public static Alert consumerError(
      String source, String consumer, Throwable error, String traceId) {
    return new Alert(
        UUID.randomUUID().toString(),
        CONSUMER_ERROR,
        fingerprint(CONSUMER_ERROR, source, consumer, error.getClass().getName()),
        source,
        null,
        null,
        null,
        source + ": " + consumer + " failed on " + error.getClass().getSimpleName(),
        error.getMessage(),
        traceId,
        Instant.now());
  }

  /** A stable fingerprint from stable parts: lower-cased, joined with ':', nulls left out. */
  public static String fingerprint(String... parts) {
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      if (p != null && !p.isBlank()) {
        if (b.length() > 0) {
          b.append(':');
        }
        b.append(p.strip().toLowerCase(Locale.ROOT));
      }
    }
    return b.toString();
  }

  private static String clip(String s) {
    if (s == null) {
      return null;
    }
    String t = s.strip();
    return t.length() > MAX_DETAIL ? t.substring(0, MAX_DETAIL - 1) + "…" : t;
  }
}
