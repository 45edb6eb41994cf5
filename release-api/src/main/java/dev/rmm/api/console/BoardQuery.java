package dev.rmm.api.console;

import dev.rmm.api.console.ConsoleTexts.Language;
import dev.rmm.api.query.BoardFilter;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.TextRules.Kind;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The board's filters and page as the page's form and pager send them (empty fields mean "any", no
 * page means the first), checked like the API's parameters: a bad one is a 400 page that says why
 * ({@link Refused}), never a query.
 *
 * @param outcome {@code active} when the form does not say, {@code any} for every outcome
 * @param from a day ({@code yyyy-MM-dd}, UTC): releases created on or after it
 * @param to a day: releases created on or before it
 * @param page which page of {@link #PAGE_SIZE} releases, from 1 to {@link #LAST_PAGE}
 */
record BoardQuery(
    String service, String status, String outcome, String from, String to, String q, int page) {

  /** How many releases one page of the board shows. */
  static final int PAGE_SIZE = 50;

  /** The last page one may ask for: half a million releases deep, beyond any real board. */
  static final int LAST_PAGE = 10_000;

  BoardQuery {
    service = blankToNull(service);
    status = blankToNull(status);
    outcome = outcome == null || outcome.isBlank() ? Outcome.ACTIVE.wire() : outcome.strip();
    from = blankToNull(from);
    to = blankToNull(to);
    q = blankToNull(q);
    for (String[] f : new String[][] {{"service", service}, {"q", q}}) {
      TextRules.check(f[0], f[1], Kind.LINE)
          .ifPresent(
              p -> {
                throw new Refused(null, p);
              });
    }
    if (status != null && ReleaseStatus.parse(status).isEmpty()) {
      throw new Refused(null, "status must be one of " + ReleaseStatus.wireValues());
    }
    String o = outcome.toLowerCase(Locale.ROOT);
    if (!o.equals("any") && Arrays.stream(Outcome.values()).noneMatch(v -> v.wire().equals(o))) {
      throw new Refused(null, "outcome must be one of any, active, successful, failed, cancelled");
    }
    outcome = o;
    if (from != null) {
      day("from", from);
    }
    if (to != null) {
      day("to", to);
    }
    if (page < 1 || page > LAST_PAGE) {
      throw new Refused("board_bad_page", String.valueOf(page));
    }
  }

  /** The query of the form's and pager's values; {@code page} as sent, blank for the first. */
  static BoardQuery of(
      String service,
      String status,
      String outcome,
      String from,
      String to,
      String q,
      String page) {
    return new BoardQuery(service, status, outcome, from, to, q, page(page));
  }

  /**
   * The read model's filter for this page: one release more than a page, so that the board knows
   * whether a next page exists without counting them all.
   */
  BoardFilter filter() {
    return new BoardFilter(
        service,
        status,
        outcome.equals("any") ? null : outcome,
        from == null ? null : day("from", from).atStartOfDay(ZoneOffset.UTC).toInstant(),
        to == null ? null : day("to", to).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
        q,
        (long) (page - 1) * PAGE_SIZE,
        PAGE_SIZE + 1);
  }

  /** Whether the form narrows the board beyond its default (the active releases). */
  boolean narrowed() {
    return service != null
        || status != null
        || !outcome.equals(Outcome.ACTIVE.wire())
        || from != null
        || to != null
        || q != null;
  }

  /** The query string of these filters and this page, for the live part's URL. */
  String queryString() {
    return queryString(page);
  }

  /** The query string of these filters on page {@code n} (the first page names no page). */
  String queryString(int n) {
    StringBuilder b = new StringBuilder();
    add(b, "service", service);
    add(b, "status", status);
    add(b, "outcome", outcome);
    add(b, "from", from);
    add(b, "to", to);
    add(b, "q", q);
    add(b, "page", n == 1 ? null : String.valueOf(n));
    return b.toString();
  }

  /**
   * A value of the form the board refuses: {@code key} names the console's words for it (with the
   * value, escaped, in them), or is null when {@code detail} already says it (the API's words).
   */
  static final class Refused extends RuntimeException {

    private final String key;

    Refused(String key, String detail) {
      super(detail);
      this.key = key;
    }

    /** What the 400 page says, in {@code lang} where the console has words for it. */
    String text(Language lang) {
      return key == null
          ? getMessage()
          : ConsoleTexts.word(lang, key, TextRules.escape(getMessage()), LAST_PAGE);
    }
  }

  private static int page(String value) {
    if (value == null || value.isBlank()) {
      return 1;
    }
    String v = value.strip();
    // digits only, and few enough of them for an int: "+3", "1e3", "٣" and 20 digits are no page
    if (!v.matches("[0-9]{1,9}")) {
      throw new Refused("board_bad_page", value);
    }
    return Integer.parseInt(v);
  }

  private static void add(StringBuilder b, String name, String value) {
    if (value != null) {
      b.append(b.length() == 0 ? "?" : "&")
          .append(name)
          .append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
  }

  private static LocalDate day(String name, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new Refused(null, name + " is a day, yyyy-MM-dd");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
