package dev.rmm.gateway.alerts;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.card.ReleaseCard;
import dev.rmm.gateway.card.StatusTexts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The alerts that the release log and the read model hold, as pure functions: an event that means a
 * failure (the production dispatch failed, a production deploy failed, a rollback failed, the stage
 * build or its test rollback failed) and a release that stopped moving. Each release failure has
 * its own fingerprint, so the same event read twice is the same alert (and its id, the event id,
 * makes it count once).
 */
public final class LogAlerts {

  private LogAlerts() {}

  /**
   * @param release the release from the read model, or null (the alert then names it by id)
   */
  public static Optional<Alert> of(EventEnvelope e, ReleaseView release, Language lang) {
    if (e.data() instanceof ReleaseEvent.DispatchFailed f) {
      String problem = (f.httpStatus() > 0 ? f.httpStatus() + " " : "") + f.detail();
      return Optional.of(
          alert(
              e,
              release,
              Alert.DISPATCH_FAILED,
              Texts.ALERT_DISPATCH_SUMMARY.in(lang, f.attempts()),
              problem.strip()));
    }
    Optional<Alert> breakGlass = breakGlass(e, release, lang);
    if (breakGlass.isPresent()) {
      return breakGlass;
    }
    if (!(e.data() instanceof ReleaseEvent.StatusChanged s)) {
      return Optional.empty();
    }
    if (s.to() == ReleaseStatus.ROLLBACK_FAILED) {
      String step =
          release == null || release.runbook() == null || release.runbook().failedStep() == null
              ? ""
              : release.runbook().failedStep();
      String summary =
          step.isEmpty() ? StatusTexts.of(s.to(), lang) : Texts.ALERT_ROLLBACK_STEP.in(lang, step);
      return Optional.of(alert(e, release, Alert.ROLLBACK_FAILED, summary, s.detail()));
    }
    if (s.to() == ReleaseStatus.STAGE_BUILDING_FAILED
        || s.to() == ReleaseStatus.STAGE_TEST_ROLLBACK_FAILED) {
      return Optional.of(
          alert(e, release, Alert.STAGE_FAILED, StatusTexts.of(s.to(), lang), s.detail()));
    }
    if (s.to() == ReleaseStatus.PRODUCTION_FAILED) {
      return Optional.of(
          alert(e, release, Alert.PRODUCTION_FAILED, StatusTexts.of(s.to(), lang), s.detail()));
    }
    return Optional.empty();
  }

  private static final java.time.format.DateTimeFormatter UTC_TIME =
      java.time.format.DateTimeFormatter.ofPattern("HH:mm 'UTC'")
          .withZone(java.time.ZoneOffset.UTC);

  /**
   * Break-glass is announced loudly in the alerts chat: when an admin forces an approval (a second
   * admin is needed), when it is confirmed, and when it is found expired. Each event is its own
   * message (the fingerprint names the event), never counted as a repeat of another.
   */
  private static Optional<Alert> breakGlass(EventEnvelope e, ReleaseView release, Language lang) {
    String summary;
    String detail;
    if (e.data() instanceof ReleaseEvent.BreakGlassRequested r) {
      summary =
          Texts.ALERT_BREAK_GLASS_REQUESTED.in(
              lang,
              r.requestedByName(),
              r.reason(),
              r.expiresAt() == null ? "—" : UTC_TIME.format(r.expiresAt()));
      detail = r.tag() + (r.commitSha() == null ? "" : " @ " + r.commitSha());
    } else if (e.data() instanceof ReleaseEvent.BreakGlassConfirmed c) {
      summary =
          Texts.ALERT_BREAK_GLASS_CONFIRMED.in(
              lang, c.confirmedByName(), c.requestedByName(), c.reason());
      detail = c.tag() + (c.commitSha() == null ? "" : " @ " + c.commitSha());
    } else if (e.data() instanceof ReleaseEvent.BreakGlassExpired x) {
      summary = Texts.ALERT_BREAK_GLASS_EXPIRED.in(lang, x.requestedByName());
      detail = x.detail();
    } else {
      return Optional.empty();
    }
    return Optional.of(
        new Alert(
            e.id(),
            Alert.BREAK_GLASS,
            Alert.fingerprint(Alert.BREAK_GLASS, e.releaseId(), e.id()),
            source(e),
            e.releaseId(),
            release == null ? null : release.serviceName(),
            release == null ? null : release.releaseTag(),
            summary,
            detail,
            e.traceId(),
            e.occurredAt()));
  }

  /**
   * A release of the read model that has not moved since {@code updated_at}: one alert per release
   * version (a later stall of the same release is a new alert).
   *
   * @param traceparent the trace context of the release's last event, or null
   */
  public static Alert stuck(ReleaseView release, String traceparent, Instant now, Language lang) {
    String id = release.releaseId();
    long version = release.version();
    ReleaseStatus status = release.status();
    Instant since = release.updatedAt().toInstant();
    return new Alert(
        "stuck:" + id + ":" + version,
        Alert.STUCK_RELEASE,
        Alert.fingerprint(Alert.STUCK_RELEASE, id, "v" + version),
        "telegram-gateway",
        id,
        release.serviceName(),
        release.releaseTag(),
        Texts.ALERT_STUCK_SUMMARY.in(
            lang,
            ReleaseCard.elapsed(Duration.between(since, now), lang),
            StatusTexts.of(status, lang)),
        null,
        EventEnvelope.traceIdOf(traceparent),
        now);
  }

  /**
   * Stuck releases beyond the ones alerted one by one in the same look: a single message (edited
   * with a counter when it happens again within the window) instead of a flood.
   */
  public static Alert moreStuck(List<Alert> others, Instant now, Language lang) {
    StringBuilder names = new StringBuilder();
    others.stream()
        .limit(10)
        .forEach(
            a ->
                names
                    .append(names.length() == 0 ? "" : ", ")
                    .append(a.service())
                    .append(' ')
                    .append(a.tag()));
    if (others.size() > 10) {
      names.append(", …");
    }
    return new Alert(
        UUID.randomUUID().toString(),
        Alert.STUCK_RELEASE,
        Alert.fingerprint(Alert.STUCK_RELEASE, "more"),
        "telegram-gateway",
        null,
        null,
        null,
        Texts.ALERT_STUCK_MORE.in(lang, others.size()),
        names.toString(),
        null,
        now);
  }

  private static Alert alert(
      EventEnvelope e, ReleaseView release, String kind, String summary, String detail) {
    return new Alert(
        e.id(),
        kind,
        Alert.fingerprint(kind, e.releaseId()),
        source(e),
        e.releaseId(),
        release == null ? null : release.serviceName(),
        release == null ? null : release.releaseTag(),
        summary,
        detail,
        e.traceId(),
        e.occurredAt());
  }

  /**
   * Who recorded the failure: "orchestrator deploy-orchestrator-1a2b3c4d", "github acme/billing".
   */
  private static String source(EventEnvelope e) {
    return e.actor().kind().name().toLowerCase(Locale.ROOT) + " " + e.actor().id();
  }
}
