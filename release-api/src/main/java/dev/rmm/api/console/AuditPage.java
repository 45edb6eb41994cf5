package dev.rmm.api.console;

import dev.rmm.api.console.ConsoleTexts.Language;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.audit.LogVerifier;
import dev.rmm.contracts.log.AsOfFold;
import io.quarkus.qute.TemplateData;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The audit page (issue 16): the state of every release as of a moment and the whole verification
 * report, both folded from the release log in one read ({@link AuditLog}) with the replay's own
 * code: {@link AsOfFold} (as {@code replay as-of}) and {@link LogVerifier} (as {@code replay
 * verify}, the policy topic's chain included). Never from the read model, which is what an audit
 * checks.
 */
public final class AuditPage {

  private AuditPage() {}

  /** One release as of the moment. */
  @TemplateData
  public record Row(
      String id,
      String url,
      String service,
      String tag,
      String statusWire,
      String status,
      long version,
      String approvals) {}

  /** What the page asks for: the moment and, optionally, one service. */
  record Query(Instant moment, String service) {}

  /**
   * The moment the form gave: an ISO-8601 instant ({@code 2026-12-02T04:10:00Z}), a time with an
   * offset, or the browser's {@code datetime-local} value (no zone: read as UTC, as every time on
   * the console is shown); blank means now. Empty when it is none of these.
   */
  static Optional<Instant> moment(String at, Instant now) {
    if (at == null || at.isBlank()) {
      return Optional.of(now);
    }
    String s = at.strip();
    try {
      return Optional.of(Instant.parse(s));
    } catch (DateTimeParseException notAnInstant) {
      // try the other two forms
    }
    try {
      return Optional.of(OffsetDateTime.parse(s).toInstant());
    } catch (DateTimeParseException noOffset) {
      // try the browser's form
    }
    try {
      return Optional.of(LocalDateTime.parse(s).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The moment as the form's {@code datetime-local} field takes it (UTC, to the millisecond). */
  static String formValue(Instant moment) {
    return LocalDateTime.ofInstant(moment.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC)
        .toString();
  }

  /**
   * Reads the log once (at most {@code limit} records) into the as-of fold and the verifier, then
   * the policy topic into a verifier of its own; returns what the page shows.
   */
  static Map<String, Object> build(AuditLog log, Query q, long limit, int maxRows, Language lang) {
    AsOfFold asOf = new AsOfFold(q.moment());
    LogVerifier verifier = new LogVerifier();
    AuditLog.Scan scan =
        log.read(
            log.events(),
            limit,
            r -> {
              asOf.accept(r.key(), r.value());
              verifier.accept(
                  r.topic() + "-" + r.partition() + "@" + r.offset(), r.key(), r.value());
            });
    LogVerifier policyVerifier = new LogVerifier();
    log.read(
        log.policies(),
        limit,
        r ->
            policyVerifier.accept(
                r.topic() + "-" + r.partition() + "@" + r.offset(), r.key(), r.value()));

    List<ReleaseState> all =
        asOf.releases().stream()
            .filter(s -> q.service() == null || q.service().equals(s.spec().service()))
            .toList();
    Map<String, Object> data = new HashMap<>();
    data.put("rows", all.stream().limit(maxRows).map(s -> row(s, lang)).toList());
    data.put("count", all.size());
    data.put("hidden", Math.max(0, all.size() - maxRows));
    data.put("hiddenText", ConsoleTexts.word(lang, "audit_hidden", all.size() - maxRows));
    data.put(
        "asOfText",
        ConsoleTexts.word(
            lang, "audit_as_of", q.moment().truncatedTo(ChronoUnit.MILLIS).toString(), all.size()));
    data.put(
        "scanText",
        scan.complete()
            ? ConsoleTexts.word(lang, "audit_scan", scan.read(), log.events())
            : ConsoleTexts.word(lang, "audit_limit", scan.read(), scan.total(), log.events()));
    data.put("limited", !scan.complete());
    report(verifier.report(), policyVerifier.report(), log.policies(), maxRows, lang, data);
    return data;
  }

  private static void report(
      LogVerifier.Report r,
      LogVerifier.Report policy,
      String policyTopic,
      int maxRows,
      Language lang,
      Map<String, Object> data) {
    data.put(
        "reportSummary",
        ConsoleTexts.word(lang, "audit_summary", r.releases(), r.events(), r.unchained()));
    data.put("intact", r.intact());
    data.put(
        "intactText",
        r.intact()
            ? "✅ " + ConsoleTexts.word(lang, "audit_intact")
            : "❌ " + ConsoleTexts.word(lang, "audit_broken", r.problems().size()));
    data.put("problems", firstOf(r.problems(), maxRows, lang));
    data.put("voidsText", ConsoleTexts.word(lang, "audit_voids", r.voids().size()));
    data.put("voids", firstOf(r.voids(), maxRows, lang));
    data.put("policyIntact", policy.intact());
    data.put(
        "policyText",
        policy.intact()
            ? "✅ " + ConsoleTexts.word(lang, "audit_policy_intact", policyTopic, policy.events())
            : "❌ "
                + ConsoleTexts.word(lang, "audit_policy_broken", policyTopic)
                + ": "
                + policy.problems().get(0));
  }

  /** The first {@code max} items in words, and a last line counting the rest. */
  private static List<String> firstOf(List<?> items, int max, Language lang) {
    List<String> out =
        new java.util.ArrayList<>(items.stream().limit(max).map(Object::toString).toList());
    if (items.size() > max) {
      out.add(ConsoleTexts.word(lang, "audit_more", items.size() - max));
    }
    return out;
  }

  private static Row row(ReleaseState s, Language lang) {
    int quorum = s.policy() == null ? 0 : s.policy().quorum();
    return new Row(
        s.releaseId(),
        "/console/releases/" + ConsoleResource.urlPart(s.releaseId()),
        s.spec().service(),
        s.spec().tag(),
        s.status().wire(),
        ConsoleTexts.status(lang, s.status().wire()),
        s.version(),
        s.approvals().size() + "/" + quorum);
  }
}
