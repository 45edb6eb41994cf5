package dev.rmm.api.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.api.console.ConsoleTexts.Language;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The release page's card and timeline, from the read model's release and its events. */
final class ReleasePage {

  private ReleasePage() {}

  /** The card's lines, as the bot's card has them. */
  static List<Views.Field> fields(ObjectNode r, Language lang, Instant now) {
    List<Views.Field> out = new ArrayList<>();
    out.add(field(lang, "service", r.path("service_name").asText(), null));
    out.add(field(lang, "tag", r.path("release_tag").asText(), null));
    out.add(field(lang, "repository", r.path("repository").asText(), null));
    out.add(
        new Views.Field(
            ConsoleTexts.word(lang, "status"),
            ConsoleTexts.status(lang, r.path("status").asText()),
            null));
    out.add(field(lang, "initiator", r.path("initiated_by").asText(), null));
    Instant created = BoardPage.instant(r.path("created_at"));
    if (created != null) {
      out.add(field(lang, "created", ConsolePages.TIME.format(created), null));
      Instant end = BoardPage.instant(r.path("completed_at"));
      out.add(
          field(
              lang,
              "elapsed",
              ConsoleTexts.duration(lang, Duration.between(created, end == null ? now : end)),
              null));
    }
    String run = r.path("github_action_link").asText("");
    out.add(field(lang, "run", run, run.startsWith("https://") ? run : null));
    out.add(field(lang, "commit", r.path("commit_sha").asText(), null));
    out.add(
        field(
            lang,
            "approvers",
            r.path("quorum").asInt() + " / " + BoardPage.names(r.path("required_approvers")),
            null));
    String approved = BoardPage.names(r.path("approved_list"));
    out.add(
        field(
            lang,
            "approved",
            r.path("approved_list").size()
                + "/"
                + r.path("quorum").asInt()
                + ": "
                + (approved.isEmpty() ? ConsoleTexts.word(lang, "nobody") : approved),
            null));
    if (r.hasNonNull("rejection_reason")) {
      out.add(field(lang, "rejected", r.path("rejection_reason").asText(), null));
    }
    JsonNode dispatch = r.path("dispatch");
    if (dispatch.isObject()) {
      out.add(field(lang, "dispatch", dispatch(dispatch, lang), null));
    }
    JsonNode runbook = r.path("runbook");
    if (runbook.isObject()) {
      out.add(field(lang, "runbook", runbook(runbook, lang), null));
    }
    return out;
  }

  /** The production workflow's dispatch, in the card's words, with where it went. */
  private static String dispatch(JsonNode d, Language lang) {
    String outcome = d.path("outcome").asText("");
    String state =
        switch (outcome) {
          case "dispatched" -> ConsoleTexts.word(lang, "dispatched");
          case "failed" -> ConsoleTexts.word(lang, "dispatch_failed", d.path("detail").asText(""));
          default -> ConsoleTexts.word(lang, "dispatching");
        };
    return state
        + " · "
        + d.path("repository").asText("")
        + " "
        + d.path("workflow").asText("")
        + " @ "
        + d.path("ref").asText("")
        // 0: no request reached GitHub (no token, a refused target)
        + (d.path("http_status").asInt(0) > 0 ? " · HTTP " + d.path("http_status").asText() : "");
  }

  /** The rollback runbook: its outcome and every SSH step with its exit code and duration. */
  private static String runbook(JsonNode rb, Language lang) {
    String target = rb.path("target_tag").asText("");
    String host = rb.path("host").asText("");
    String state =
        !rb.hasNonNull("ok")
            ? ConsoleTexts.word(lang, "runbook_running", target, host)
            : rb.path("ok").asBoolean()
                ? ConsoleTexts.word(lang, "runbook_done", target)
                : ConsoleTexts.word(
                    lang,
                    "runbook_failed",
                    rb.path("failed_step").asText(""),
                    rb.path("detail").asText(""));
    List<String> steps = new ArrayList<>();
    for (JsonNode s : rb.path("steps")) {
      steps.add(
          s.path("step").asText()
              + " → "
              + s.path("exit_code").asText("?")
              + " ("
              + s.path("duration_ms").asText("?")
              + " ms)");
    }
    return steps.isEmpty() ? state : state + " · " + String.join(", ", steps);
  }

  /** The events, in order, with who caused each and its trace. */
  static List<Views.TimelineRow> timeline(ObjectNode timeline, ConsolePages pages, Language lang) {
    List<Views.TimelineRow> out = new ArrayList<>();
    if (timeline == null) {
      return out;
    }
    for (JsonNode e : timeline.path("events")) {
      Instant at = BoardPage.instant(e.path("occurred_at"));
      String traceId = e.path("trace_id").isTextual() ? e.path("trace_id").asText() : "";
      out.add(
          new Views.TimelineRow(
              e.path("sequence").asLong(),
              at == null ? "" : ConsolePages.TIME.format(at),
              e.path("type").asText(),
              actor(e.path("actor"), lang),
              traceId,
              pages.traceLink(traceId)));
    }
    return out;
  }

  private static String actor(JsonNode a, Language lang) {
    String who = who(a);
    JsonNode behalf = a.path("on_behalf_of");
    return behalf.isObject()
        ? who + " (" + ConsoleTexts.word(lang, "on_behalf") + " " + who(behalf) + ")"
        : who;
  }

  private static String who(JsonNode a) {
    String name = a.path("name").asText("");
    String id = a.path("id").asText("");
    String kind = a.path("kind").asText("");
    return (name.isEmpty() ? id : name) + (kind.isEmpty() ? "" : " · " + kind);
  }

  private static Views.Field field(Language lang, String key, String value, String link) {
    return new Views.Field(ConsoleTexts.word(lang, key), value, link);
  }
}
