package dev.rmm.api.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.api.console.ConsoleTexts.Language;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The board's rows, grouped by service, from the read model's releases (in service order). */
final class BoardPage {

  private BoardPage() {}

  static List<Views.ServiceGroup> groups(
      List<ObjectNode> releases, Language lang, Instant now, ConsolePages pages) {
    Map<String, List<Views.BoardRow>> byService = new LinkedHashMap<>();
    for (ObjectNode r : releases) {
      byService
          .computeIfAbsent(r.path("service_name").asText(), s -> new ArrayList<>())
          .add(row(r, lang, now, pages));
    }
    List<Views.ServiceGroup> out = new ArrayList<>();
    byService.forEach(
        (s, rows) -> out.add(new Views.ServiceGroup(s, ConsoleResource.urlPart(s), rows)));
    return out;
  }

  static Views.BoardRow row(ObjectNode r, Language lang, Instant now, ConsolePages pages) {
    Instant created = instant(r.path("created_at"));
    String traceId = r.path("trace_id").isTextual() ? r.path("trace_id").asText() : null;
    String commit = r.path("commit_sha").asText("");
    return new Views.BoardRow(
        r.path("release_id").asText(),
        r.path("release_tag").asText(),
        r.path("status").asText(),
        ConsoleTexts.status(lang, r.path("status").asText()),
        r.path("approved_list").size(),
        r.path("quorum").asInt(),
        names(r.path("approved_list")),
        created == null ? "" : ConsoleTexts.duration(lang, Duration.between(created, now)),
        created == null ? "" : ConsolePages.TIME.format(created),
        r.path("github_action_link").asText("").startsWith("https://")
            ? r.path("github_action_link").asText()
            : null,
        commit.length() > 12 ? commit.substring(0, 12) : commit,
        traceId,
        pages.traceLink(traceId));
  }

  /** The names in a list of people ({@code approved_list}, {@code required_approvers}). */
  static String names(JsonNode people) {
    List<String> out = new ArrayList<>();
    people.forEach(
        p -> out.add(p.hasNonNull("name") ? p.path("name").asText() : p.path("id").asText()));
    return out.stream().collect(Collectors.joining(", "));
  }

  /** A timestamp of the read model's JSON ({@code to_jsonb} of a timestamptz), or null. */
  static Instant instant(JsonNode n) {
    if (n == null || !n.isTextual()) {
      return null;
    }
    return OffsetDateTime.parse(n.asText()).toInstant();
  }
}
