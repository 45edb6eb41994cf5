package dev.rmm.api.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.console.ConsoleTexts.Language;
import dev.rmm.api.query.BoardRelease;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The board's rows, grouped by service, from one page of the read model's releases (in service
 * order), and the pager under them.
 */
final class BoardPage {

  private BoardPage() {}

  private static List<Views.ServiceGroup> groups(
      List<BoardRelease> releases, Language lang, Instant now, ConsolePages pages) {
    Map<String, List<Views.BoardRow>> byService = new LinkedHashMap<>();
    for (BoardRelease r : releases) {
      byService.computeIfAbsent(r.service(), s -> new ArrayList<>()).add(row(r, lang, now, pages));
    }
    List<Views.ServiceGroup> out = new ArrayList<>();
    byService.forEach(
        (s, rows) -> out.add(new Views.ServiceGroup(s, ConsoleResource.urlPart(s), rows)));
    return out;
  }

  private static Views.BoardRow row(
      BoardRelease r, Language lang, Instant now, ConsolePages pages) {
    String commit = r.commitSha() == null ? "" : r.commitSha();
    String run = r.runLink() == null ? "" : r.runLink();
    return new Views.BoardRow(
        r.releaseId(),
        r.tag(),
        r.status(),
        ConsoleTexts.status(lang, r.status()),
        r.approved(),
        r.quorum(),
        r.approvedBy(),
        r.createdAt() == null
            ? ""
            : ConsoleTexts.duration(lang, Duration.between(r.createdAt(), now)),
        r.createdAt() == null ? "" : ConsolePages.TIME.format(r.createdAt()),
        run.startsWith("https://") ? run : null,
        commit.length() > 12 ? commit.substring(0, 12) : commit,
        r.traceId(),
        pages.traceLink(r.traceId()));
  }

  /**
   * The page's rows and pager from what the read model answered: up to one release more than a
   * page, which only says that a next page exists.
   */
  static Views.Board board(
      BoardQuery query,
      List<BoardRelease> answered,
      Language lang,
      Instant now,
      ConsolePages pages) {
    boolean more = answered.size() > BoardQuery.PAGE_SIZE;
    List<BoardRelease> shown = more ? answered.subList(0, BoardQuery.PAGE_SIZE) : answered;
    int page = query.page();
    long first = (long) (page - 1) * BoardQuery.PAGE_SIZE + 1;
    String empty;
    if (!shown.isEmpty()) {
      empty = null;
    } else if (page > 1) {
      empty = ConsoleTexts.word(lang, "empty_page", page);
    } else {
      empty = ConsoleTexts.word(lang, query.narrowed() ? "empty" : "empty_active");
    }
    Views.Pager pager =
        new Views.Pager(
            shown.isEmpty()
                ? ""
                : ConsoleTexts.word(lang, "page_of", page, first, first + shown.size() - 1),
            page > 1 ? "/console/board" + query.queryString(page - 1) : null,
            more ? "/console/board" + query.queryString(page + 1) : null,
            page > 2 ? "/console/board" + query.queryString(1) : null);
    return new Views.Board(groups(shown, lang, now, pages), empty, pager);
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
