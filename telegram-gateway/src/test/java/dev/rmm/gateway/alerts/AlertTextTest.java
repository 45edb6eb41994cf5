package dev.rmm.gateway.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.ReleaseRows;
import dev.rmm.gateway.Texts.Language;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What an alert says in the chat, and which log events are alerts. */
class AlertTextTest {

  private static final Instant AT = Instant.parse("2025-03-01T10:15:30Z");
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String RELEASE = "0190d6a2-7a1b-7c3d-9e4f-5a6b7c8d9e0f";

  private final Alert dispatch =
      new Alert(
          "a-1",
          Alert.DISPATCH_FAILED,
          "dispatch-failed:" + RELEASE,
          "orchestrator deploy-orchestrator-1a2b3c4d",
          RELEASE,
          "billing",
          "v1.4.0",
          "GitHub did not start the production workflow (1 attempts)",
          "404 Not Found <workflow> & more",
          TRACE,
          AT);

  @Test
  void givenAnAlertWithoutGrafana_thenTheTextSaysWhatFailedWhereAndTheTraceWithoutLinks() {
    assertThat(AlertText.html(dispatch, 1, null, Language.EN))
        .isEqualTo(
            "<b>🆘 Production dispatch failed</b>\n"
                + "GitHub did not start the production workflow (1 attempts)\n"
                + "📦 billing v1.4.0 · <code>0190d6a2</code>\n"
                + "💬 404 Not Found &lt;workflow&gt; &amp; more\n"
                + "⚙️ Source: orchestrator deploy-orchestrator-1a2b3c4d\n"
                + "🔎 Trace: <code>"
                + TRACE
                + "</code>");
  }

  @Test
  void givenRepeats_thenTheLastLineIsTheCount() {
    assertThat(AlertText.html(dispatch, 12, null, Language.RU))
        .startsWith("<b>🆘 Выкладка в прод не запущена</b>")
        .endsWith("\n🔁 ×12");
  }

  @Test
  void givenGrafana_thenExploreLinksToTheTraceInTempoAndItsLogsInLoki() {
    String html = AlertText.html(dispatch, 1, "https://grafana.example.com/", Language.EN);

    Matcher links = Pattern.compile("<a href=\"([^\"]+)\">([^<]+)</a>").matcher(html);
    assertThat(links.find()).isTrue();
    assertThat(links.group(2)).isEqualTo("trace in Tempo");
    String trace = links.group(1).replace("&amp;", "&");
    assertThat(links.find()).isTrue();
    assertThat(links.group(2)).isEqualTo("logs in Loki");
    String logs = links.group(1).replace("&amp;", "&");

    for (String url : new String[] {trace, logs}) {
      URI uri = URI.create(url); // a valid URL: the JSON is encoded
      assertThat(uri.getHost()).isEqualTo("grafana.example.com");
      assertThat(uri.getPath()).isEqualTo("/explore");
    }
    JsonNode tracePane = panes(trace);
    assertThat(tracePane.path("datasource").asText()).isEqualTo("tempo");
    assertThat(tracePane.at("/queries/0/datasource/uid").asText()).isEqualTo("tempo");
    assertThat(tracePane.at("/queries/0/query").asText()).isEqualTo(TRACE);
    assertThat(tracePane.at("/range/from").asText())
        .isEqualTo(Long.toString(AT.minusSeconds(3600).toEpochMilli()));
    JsonNode logsPane = panes(logs);
    assertThat(logsPane.at("/queries/0/datasource/uid").asText()).isEqualTo("loki");
    assertThat(logsPane.at("/queries/0/expr").asText())
        .isEqualTo("{service_name=~\".+\"} |= \"" + TRACE + "\"");
  }

  @Test
  void givenNoTraceButARelease_thenOnlyTheLogsAreLinkedByReleaseId() {
    Alert noTrace =
        new Alert(
            "a-2", Alert.ROLLBACK_FAILED, "f", "s", RELEASE, "billing", null, "x", null, null, AT);

    String html = AlertText.html(noTrace, 1, "https://g", Language.EN);

    assertThat(html).doesNotContain("Trace").doesNotContain("Tempo").contains("logs in Loki");
    assertThat(URLDecoder.decode(html, StandardCharsets.UTF_8)).contains(RELEASE);
    assertThat(html).contains("📦 billing · <code>0190d6a2</code>");
  }

  @Test
  void givenLogEvents_thenDispatchRollbackProductionAndStageFailuresAreAlertsOthersNot() {
    ReleaseView release = ReleaseRows.named("billing", "v1.4.0");

    Alert a =
        LogAlerts.of(
                event(new ReleaseEvent.DispatchFailed("d", 401, "Bad credentials", 1)),
                release,
                Language.EN)
            .orElseThrow();
    assertThat(a.kind()).isEqualTo(Alert.DISPATCH_FAILED);
    assertThat(a.fingerprint()).isEqualTo("dispatch-failed:" + RELEASE);
    assertThat(a.id()).isEqualTo("e-1");
    assertThat(a.traceId()).isEqualTo(TRACE);
    assertThat(a.detail()).isEqualTo("401 Bad credentials");
    assertThat(a.service()).isEqualTo("billing");
    assertThat(a.source()).isEqualTo("orchestrator deploy-orchestrator-1a2b3c4d");

    assertThat(
            LogAlerts.of(
                    event(
                        new ReleaseEvent.StatusChanged(
                            ReleaseStatus.PRODUCTION_ROLLBACK,
                            ReleaseStatus.ROLLBACK_FAILED,
                            "exit 3")),
                    null,
                    Language.EN)
                .orElseThrow()
                .kind())
        .isEqualTo(Alert.ROLLBACK_FAILED);
    assertThat(
            LogAlerts.of(
                    event(
                        new ReleaseEvent.StatusChanged(
                            ReleaseStatus.DEPLOYING, ReleaseStatus.PRODUCTION_FAILED, null)),
                    release,
                    Language.EN)
                .orElseThrow()
                .kind())
        .isEqualTo(Alert.PRODUCTION_FAILED);
    for (ReleaseStatus stage :
        new ReleaseStatus[] {
          ReleaseStatus.STAGE_BUILDING_FAILED, ReleaseStatus.STAGE_TEST_ROLLBACK_FAILED
        }) {
      Alert s =
          LogAlerts.of(
                  event(
                      new ReleaseEvent.StatusChanged(
                          ReleaseStatus.STAGE_BUILDING, stage, "step 'migrate' exited 1")),
                  release,
                  Language.EN)
              .orElseThrow();
      assertThat(s.kind()).isEqualTo(Alert.STAGE_FAILED);
      assertThat(s.detail()).isEqualTo("step 'migrate' exited 1");
      assertThat(AlertText.html(s, 1, null, Language.EN)).startsWith("<b>🆘 Stage failed</b>");
      assertThat(AlertText.html(s, 1, null, Language.RU)).startsWith("<b>🆘 Сбой на stage</b>");
    }
    assertThat(
            LogAlerts.of(
                event(
                    new ReleaseEvent.StatusChanged(
                        ReleaseStatus.DEPLOYING, ReleaseStatus.DEPLOYED, null)),
                release,
                Language.EN))
        .isEmpty();
  }

  @Test
  void givenABreakGlassRequestAndItsConfirmation_thenEachIsItsOwnLoudAlertInBothLanguages() {
    ReleaseView release = ReleaseRows.named("billing", "v1.4.0");
    Alert requested =
        LogAlerts.of(
                event(
                    new ReleaseEvent.BreakGlassRequested(
                        2001,
                        "Olga",
                        "payments are down",
                        "v1.4.0",
                        "3f2c1a9",
                        Instant.parse("2026-11-26T20:15:00Z"),
                        4L)),
                release,
                Language.EN)
            .orElseThrow();
    assertThat(requested.kind()).isEqualTo(Alert.BREAK_GLASS);
    assertThat(requested.summary())
        .isEqualTo(
            "Olga forces the approval: “payments are down”. Another admin must confirm by 20:15"
                + " UTC (✅ Confirm break-glass below or on the card)");
    assertThat(requested.detail()).isEqualTo("v1.4.0 @ 3f2c1a9");
    assertThat(AlertText.html(requested, 1, null, Language.EN)).startsWith("<b>🚨 Break-glass</b>");
    assertThat(AlertText.html(requested, 1, null, Language.RU)).startsWith("<b>🚨 Break-glass</b>");

    Alert confirmed =
        LogAlerts.of(
                event(
                    new ReleaseEvent.BreakGlassConfirmed(
                        2001, "Olga", 2002, "Petr", "payments are down", "v1.4.0", "3f2c1a9", 4L)),
                release,
                Language.RU)
            .orElseThrow();
    assertThat(confirmed.summary())
        .isEqualTo(
            "Petr подтвердил break-glass от Olga: «payments are down». Релиз уходит в прод без"
                + " кворума");
    // each event is its own message (the fingerprint names the event), never a repeat of another
    assertThat(requested.fingerprint())
        .isEqualTo(Alert.fingerprint(Alert.BREAK_GLASS, RELEASE, "e-1"));
  }

  private static EventEnvelope event(ReleaseEvent data) {
    return new EventEnvelope(
        "e-1",
        RELEASE,
        7,
        AT,
        new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1a2b3c4d", "deploy-orchestrator"),
        null,
        null,
        "00-" + TRACE + "-00f067aa0ba902b7-01",
        data);
  }

  private static JsonNode panes(String url) {
    String query = URI.create(url).getRawQuery();
    for (String param : query.split("&")) {
      if (param.startsWith("panes=")) {
        try {
          return EventCodec.mapper()
              .readTree(URLDecoder.decode(param.substring(6), StandardCharsets.UTF_8))
              .path("a");
        } catch (Exception e) {
          throw new AssertionError("panes is not JSON: " + param, e);
        }
      }
    }
    throw new AssertionError("no panes in " + url);
  }

  @Test
  void givenANote_thenItIsEscapedInItsOwnBlockBeforeTheCount() {
    String html =
        AlertText.html(dispatch, 3, null, Language.EN, "Probable cause: <script> & \"quotes\"");

    assertThat(html)
        .contains(
            "\n\n<b>🤖 AI note (may be wrong)</b>\n<i>Probable cause: &lt;script&gt; &amp;"
                + " &quot;quotes&quot;</i>\n🔁 ×3")
        .endsWith("🔁 ×3");
    assertThat(AlertText.html(dispatch, 1, null, Language.RU, "x"))
        .contains("<b>🤖 Разбор от ИИ (может ошибаться)</b>");
  }

  @Test
  void givenANoteLongerThanTelegramAllows_thenTheMessageIsClippedTo4096WithTheCountKept() {
    String note = "<&>".repeat(3000) + "😀".repeat(500);

    String html = AlertText.html(dispatch, 12, null, Language.EN, note);

    assertThat(html.length()).isLessThanOrEqualTo(AlertText.MAX_TEXT);
    assertThat(html).endsWith("…</i>\n🔁 ×12");
    assertThat(html).doesNotContainPattern("&[a-z]*…"); // never a cut entity
    assertThat(AlertText.html(dispatch, 1, null, Language.EN, null))
        .isEqualTo(AlertText.html(dispatch, 1, null, Language.EN));
  }

  @Test
  void givenAClipThroughASurrogatePair_thenThePairStaysWhole() {
    String cut = AlertText.escapeWithin("ab😀cd", 4);

    assertThat(cut).isEqualTo("ab…");
    assertThat(AlertText.escapeWithin("&&&", 3)).isEqualTo("…");
  }
}
