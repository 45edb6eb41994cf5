package dev.rmm.api.console;

import dev.rmm.api.problem.InvalidRequestException;
import dev.rmm.api.query.BoardFilter;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.TextRules.Kind;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The board's filters as the page's form sends them (empty fields mean "any"), checked like the
 * API's parameters: a bad one is a 400 problem, never a query.
 *
 * @param outcome {@code active} when the form does not say, {@code any} for every outcome
 * @param from a day ({@code yyyy-MM-dd}, UTC): releases created on or after it
 * @param to a day: releases created on or before it
 */
record BoardQuery(String service, String status, String outcome, String from, String to, String q) {

  /** The most releases the board shows at once. */
  static final int LIMIT = 300;

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
                throw InvalidRequestException.validation(p);
              });
    }
    if (status != null && ReleaseStatus.parse(status).isEmpty()) {
      throw InvalidRequestException.validation(
          "status must be one of " + ReleaseStatus.wireValues());
    }
    String o = outcome.toLowerCase(Locale.ROOT);
    if (!o.equals("any") && Arrays.stream(Outcome.values()).noneMatch(v -> v.wire().equals(o))) {
      throw InvalidRequestException.validation(
          "outcome must be one of any, active, successful, failed, cancelled");
    }
    outcome = o;
  }

  BoardFilter filter() {
    return new BoardFilter(
        service,
        status,
        outcome.equals("any") ? null : outcome,
        from == null ? null : day("from", from).atStartOfDay(ZoneOffset.UTC).toInstant(),
        to == null ? null : day("to", to).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
        q,
        LIMIT);
  }

  /** The query string of these filters, for the live part's URL. */
  String queryString() {
    StringBuilder b = new StringBuilder();
    add(b, "service", service);
    add(b, "status", status);
    add(b, "outcome", outcome);
    add(b, "from", from);
    add(b, "to", to);
    add(b, "q", q);
    return b.toString();
  }

  private static void add(StringBuilder b, String name, String value) {
    if (value != null) {
      b.append(b.length() == 0 ? "?" : "&")
          .append(name)
          .append('=')
          .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static LocalDate day(String name, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw InvalidRequestException.validation(name + " is a day, yyyy-MM-dd");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
