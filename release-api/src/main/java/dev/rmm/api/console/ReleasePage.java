package dev.rmm.api.console;

import dev.rmm.api.console.ConsoleTexts.Language;
import dev.rmm.api.query.QueryViews.Timeline;
import dev.rmm.api.query.QueryViews.TimelineActor;
import dev.rmm.api.query.QueryViews.TimelineEvent;
import dev.rmm.contracts.readmodel.Approval;
import dev.rmm.contracts.readmodel.Dispatch;
import dev.rmm.contracts.readmodel.Person;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.contracts.readmodel.Runbook;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The release page's card and timeline, from the read model's release and its events. */
final class ReleasePage {

  private ReleasePage() {}

  /** The card's lines, as the bot's card has them. */
  static List<Views.Field> fields(ReleaseView r, Language lang, Instant now) {
    List<Views.Field> out = new ArrayList<>();
    out.add(field(lang, "service", r.serviceName(), null));
    out.add(field(lang, "tag", r.releaseTag(), null));
    out.add(field(lang, "repository", r.repository(), null));
    out.add(
        new Views.Field(
            ConsoleTexts.word(lang, "status"), ConsoleTexts.status(lang, r.status().wire()), null));
    out.add(field(lang, "initiator", r.initiatedBy(), null));
    if (r.createdAt() != null) {
      Instant created = r.createdAt().toInstant();
      out.add(field(lang, "created", ConsolePages.TIME.format(created), null));
      Instant end = r.completedAt() == null ? now : r.completedAt().toInstant();
      out.add(
          field(
              lang, "elapsed", ConsoleTexts.duration(lang, Duration.between(created, end)), null));
    }
    String run = r.githubActionLink() == null ? "" : r.githubActionLink();
    out.add(field(lang, "run", run, run.startsWith("https://") ? run : null));
    out.add(field(lang, "commit", r.commitSha(), null));
    out.add(
        field(
            lang,
            "approvers",
            quorum(r) + " / " + names(r.requiredApprovers().stream().map(Person::displayName)),
            null));
    String approved = names(r.approvedList().stream().map(Approval::displayName));
    out.add(
        field(
            lang,
            "approved",
            r.approvedList().size()
                + "/"
                + quorum(r)
                + ": "
                + (approved.isEmpty() ? ConsoleTexts.word(lang, "nobody") : approved),
            null));
    if (r.rejectionReason() != null) {
      out.add(field(lang, "rejected", r.rejectionReason(), null));
    }
    if (r.dispatch() != null) {
      out.add(field(lang, "dispatch", dispatch(r.dispatch(), lang), null));
    }
    if (r.runbook() != null) {
      out.add(field(lang, "runbook", runbook(r.runbook(), lang), null));
    }
    return out;
  }

  /** The row's quorum, 0 when it has none (as the card showed it before the views were typed). */
  private static int quorum(ReleaseView r) {
    return r.quorum() == null ? 0 : r.quorum();
  }

  private static String names(Stream<String> names) {
    return names.collect(Collectors.joining(", "));
  }

  /** The production workflow's dispatch, in the card's words, with where it went. */
  private static String dispatch(Dispatch d, Language lang) {
    String state =
        d.dispatched()
            ? ConsoleTexts.word(lang, "dispatched")
            : d.failed()
                ? ConsoleTexts.word(lang, "dispatch_failed", orEmpty(d.detail()))
                : ConsoleTexts.word(lang, "dispatching");
    return state
        + " · "
        + orEmpty(d.repository())
        + " "
        + orEmpty(d.workflow())
        + " @ "
        + orEmpty(d.ref())
        // 0: no request reached GitHub (no token, a refused target)
        + (d.httpStatus() != null && d.httpStatus() > 0 ? " · HTTP " + d.httpStatus() : "");
  }

  /** The rollback runbook: its outcome and every SSH step with its exit code and duration. */
  private static String runbook(Runbook rb, Language lang) {
    String target = orEmpty(rb.targetTag());
    String state =
        rb.ok() == null
            ? ConsoleTexts.word(lang, "runbook_running", target, orEmpty(rb.host()))
            : rb.ok()
                ? ConsoleTexts.word(lang, "runbook_done", target)
                : ConsoleTexts.word(
                    lang, "runbook_failed", orEmpty(rb.failedStep()), orEmpty(rb.detail()));
    List<String> steps = new ArrayList<>();
    for (Runbook.Step s : rb.steps()) {
      steps.add(s.step() + " → " + s.exitCode() + " (" + s.durationMs() + " ms)");
    }
    return steps.isEmpty() ? state : state + " · " + String.join(", ", steps);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** The events, in order, with who caused each and its trace. */
  static List<Views.TimelineRow> timeline(Timeline timeline, ConsolePages pages, Language lang) {
    List<Views.TimelineRow> out = new ArrayList<>();
    if (timeline == null) {
      return out;
    }
    for (TimelineEvent e : timeline.events()) {
      String traceId = orEmpty(e.traceId());
      out.add(
          new Views.TimelineRow(
              e.sequence(),
              e.occurredAt() == null ? "" : ConsolePages.TIME.format(e.occurredAt().toInstant()),
              e.type(),
              actor(e.actor(), lang),
              traceId,
              pages.traceLink(traceId)));
    }
    return out;
  }

  private static String actor(TimelineActor a, Language lang) {
    String who = who(a);
    return a.onBehalfOf() != null
        ? who + " (" + ConsoleTexts.word(lang, "on_behalf") + " " + who(a.onBehalfOf()) + ")"
        : who;
  }

  private static String who(TimelineActor a) {
    String name = orEmpty(a.name());
    String kind = orEmpty(a.kind());
    return (name.isEmpty() ? orEmpty(a.id()) : name) + (kind.isEmpty() ? "" : " · " + kind);
  }

  private static Views.Field field(Language lang, String key, String value, String link) {
    return new Views.Field(ConsoleTexts.word(lang, key), value, link);
  }
}
