package dev.rmm.api.console;

import dev.rmm.api.console.ConsoleTexts.Language;
import dev.rmm.api.query.QueryViews.DeployedTag;
import dev.rmm.api.query.QueryViews.DeployedTags;
import dev.rmm.api.query.ReleaseQueries.DoraWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The service page: which tags reached production and when (the one in production now marked),
 * deploys per week drawn as an SVG bar chart, and the DORA figures over 7, 30 and 90 days.
 */
final class ServicePage {

  /** Weeks the chart shows, the current one last. */
  static final int WEEKS = 12;

  /** The chart's drawing area, in SVG user units. */
  static final int WIDTH = 600;

  static final int HEIGHT = 140;

  private ServicePage() {}

  /** The deployed tags, newest first ({@code deployedTags}' answer). */
  static List<Views.DeployedTag> tags(DeployedTags deployed, Language lang) {
    String production = deployed.productionTag();
    List<Views.DeployedTag> out = new ArrayList<>();
    boolean marked = false;
    for (DeployedTag t : deployed.tags()) {
      String tag = t.releaseTag();
      boolean current = !marked && tag.equals(production);
      marked |= current;
      out.add(
          new Views.DeployedTag(
              tag,
              t.releaseId(),
              t.deployedAt() == null ? "" : ConsolePages.TIME.format(t.deployedAt().toInstant()),
              ConsoleTexts.status(lang, t.status()),
              current));
    }
    return out;
  }

  /** Deploys per week over the last {@link #WEEKS} weeks (Monday to Sunday, UTC) as bars. */
  static List<Views.Bar> weeklyDeploys(DeployedTags deployed, Instant now) {
    LocalDate thisMonday =
        now.atZone(ZoneOffset.UTC).toLocalDate().with(java.time.DayOfWeek.MONDAY);
    long[] counts = new long[WEEKS];
    for (DeployedTag t : deployed.tags()) {
      if (t.deployedAt() == null) {
        continue;
      }
      LocalDate day = t.deployedAt().atZoneSameInstant(ZoneOffset.UTC).toLocalDate();
      long weeksAgo = ChronoUnit.WEEKS.between(day.with(java.time.DayOfWeek.MONDAY), thisMonday);
      if (weeksAgo >= 0 && weeksAgo < WEEKS) {
        counts[WEEKS - 1 - (int) weeksAgo]++;
      }
    }
    long max = 1;
    for (long c : counts) {
      max = Math.max(max, c);
    }
    int slot = WIDTH / WEEKS;
    List<Views.Bar> bars = new ArrayList<>();
    for (int i = 0; i < WEEKS; i++) {
      int h = (int) Math.round((double) counts[i] * (HEIGHT - 20) / max);
      LocalDate monday = thisMonday.minusWeeks(WEEKS - 1 - i);
      bars.add(
          new Views.Bar(
              i * slot + 4,
              HEIGHT - h,
              slot - 8,
              h,
              String.format(
                  Locale.ROOT, "%02d.%02d", monday.getDayOfMonth(), monday.getMonthValue()),
              counts[i]));
    }
    return bars;
  }

  /** The DORA table: one row per figure, one column per window (7, 30, 90 days). */
  static List<Views.DoraRow> dora(List<DoraWindow> windows, Language lang) {
    List<Views.DoraRow> rows = new ArrayList<>();
    rows.add(
        row(
            ConsoleTexts.word(lang, "dora_frequency"),
            windows,
            w ->
                String.format(
                    Locale.ROOT,
                    "%d (%.2f/%s)",
                    w.deploys(),
                    (double) w.deploys() / w.days(),
                    ConsoleTexts.word(lang, "per_day"))));
    rows.add(row(ConsoleTexts.word(lang, "dora_lead"), windows, w -> span(lang, w.leadSeconds())));
    rows.add(
        row(
            ConsoleTexts.word(lang, "dora_failure_rate"),
            windows,
            w ->
                w.changes() == 0
                    ? "—"
                    : String.format(
                        Locale.ROOT,
                        "%.0f%% (%d/%d)",
                        100.0 * w.failed() / w.changes(),
                        w.failed(),
                        w.changes())));
    rows.add(
        row(ConsoleTexts.word(lang, "dora_restore"), windows, w -> span(lang, w.restoreSeconds())));
    rows.add(
        row(
            ConsoleTexts.word(lang, "dora_approval_wait"),
            windows,
            w -> span(lang, w.approvalWaitSeconds())));
    return rows;
  }

  private static Views.DoraRow row(
      String label, List<DoraWindow> windows, Function<DoraWindow, String> figure) {
    String[] v = {"—", "—", "—"};
    for (DoraWindow w : windows) {
      int i = w.days() == 7 ? 0 : w.days() == 30 ? 1 : 2;
      v[i] = figure.apply(w);
    }
    return new Views.DoraRow(label, v[0], v[1], v[2]);
  }

  /** A mean duration as the card says durations; a dash when nothing was measured. */
  private static String span(Language lang, Double seconds) {
    if (seconds == null) {
      return "—";
    }
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.0f s", seconds);
    }
    return ConsoleTexts.duration(lang, Duration.ofSeconds(Math.round(seconds)));
  }
}
