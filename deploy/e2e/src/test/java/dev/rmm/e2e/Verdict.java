package dev.rmm.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.local.RmmService;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeBotApi.SentMessage;
import dev.rmm.testsupport.FakeGitHub;
import dev.rmm.testsupport.TestSshServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The verdict after a chaos trial, once the load has stopped: waits (bounded) until every release
 * of the trial has settled, then checks what issue 14 asks of every fault and returns one line per
 * failed check (empty when the trial passed):
 *
 * <ol>
 *   <li>every answer a client got names an event that is valid in the log (the status it reported
 *       at the version it reported);
 *   <li>no effect happened twice: no status entered twice, one dispatch-started event and one
 *       GitHub dispatch per approved release, each runbook command at most once on the SSH host;
 *   <li>the read model equals a rebuild from the log (release-projector's {@code /admin/rebuild
 *       ?swap=false} difference is zero in every table), and shows each release's final status;
 *   <li>the hash chain verifies ({@link dev.rmm.contracts.audit.LogVerifier});
 *   <li>each release's live card in the team chat shows its final status, and every button press
 *       the load pushed was answered (no Telegram update lost);
 *   <li>the load itself got an answer to every request (none refused for good, none lost);
 *   <li>alerts are de-duplicated: one failure is one message in the alerts chat, edited with its
 *       count, not sent again.
 * </ol>
 */
final class Verdict {

  /** How long the releases of a trial may take to settle after the load stopped. */
  static final Duration SETTLE = Duration.ofSeconds(90);

  /**
   * How long the read model and the cards may lag the log once it settled. A consumer killed with
   * -9 keeps its partitions until its group's session timeout (10 s, LogConsumers) ends its
   * membership, so a killed projector's or gateway's successor resumes only after that.
   */
  static final Duration CATCH_UP = Duration.ofSeconds(60);

  /** The card's status line for the statuses a trial ends in (telegram-gateway StatusTexts). */
  private static final Map<ReleaseStatus, String> CARD_STATUS =
      Map.of(
          ReleaseStatus.MANUAL_TESTING, "🧪 Manual testing",
          ReleaseStatus.MANUAL_TEST_PASSED, "✅ Manual testing passed",
          ReleaseStatus.DEPLOYING, "🚀 Deploying to production",
          ReleaseStatus.DEPLOYED, "🎉 Deployed",
          ReleaseStatus.PRODUCTION_ROLLBACK, "⏪ Rolling back production",
          ReleaseStatus.ROLLBACK_DONE, "⚠️ Rolled back",
          ReleaseStatus.ROLLBACK_FAILED, "🆘 Rollback failed");

  /**
   * The gateway's alert window (rmm.alerts.window, 1 h) less the longest trial: a failure sent
   * again later than this may have a new window.
   */
  private static final Duration ALERT_WINDOW = Duration.ofMinutes(50);

  private static final Set<ReleaseStatus> ROLLED_BACK =
      EnumSet.of(ReleaseStatus.ROLLBACK_DONE, ReleaseStatus.ROLLBACK_FAILED);

  private final StackExtension stack;
  private final TestSshServer ssh;
  private final HttpClient http = HttpClient.newHttpClient();

  Verdict(StackExtension stack, TestSshServer ssh) {
    this.stack = stack;
    this.ssh = ssh;
  }

  /** Judges one trial; the load has stopped. */
  List<String> judge(ChaosLoad load, int trial) {
    List<String> failed = new ArrayList<>();
    load.problems().forEach(p -> failed.add("load: " + p));
    List<ChaosLoad.Release> releases =
        load.releases().stream().filter(r -> r.trial() == trial).toList();
    if (releases.isEmpty()) {
      failed.add("load: no release was made in trial " + trial);
    }
    LogSnapshot log = awaitSettled(releases);
    acknowledgedEventsAreInTheLog(load, log, failed);
    for (ChaosLoad.Release r : releases) {
      settled(r, log, failed);
      noStatusEnteredTwice(r, log, failed);
      oneDispatch(r, log, failed);
    }
    runbookCommandsAtMostOnce(failed);
    if (!log.audit().intact()) {
      log.audit().problems().forEach(p -> failed.add("hash chain: " + p));
    }
    readModelEqualsRebuild(failed);
    readModelShowsFinalStatus(releases, log, failed);
    cardsShowFinalStatus(releases, log, failed);
    everyPressAnswered(load, failed);
    alertsNotRepeated(failed);
    return failed;
  }

  /**
   * When the head of each alert message (its title, summary and release: what one failure keeps)
   * was first sent to the alerts chat, as first seen by a verdict.
   */
  private final Map<String, Long> alertHeads = new HashMap<>();

  private int alertsJudged;

  /**
   * Alerts are de-duplicated: the same failure within the gateway's window (1 h) is one message,
   * edited with its count, never a second {@code sendMessage} to the alerts chat.
   */
  private void alertsNotRepeated(List<String> failed) {
    List<JsonNode> sent =
        ChaosStack.BOT_API.calls("sendMessage").stream()
            .map(FakeBotApi::json)
            .filter(j -> j.path("chat_id").asLong() == ChaosStack.ALERTS)
            .toList();
    long now = System.nanoTime();
    for (int i = alertsJudged; i < sent.size(); i++) {
      String head = AlertProbe.head(sent.get(i));
      Long first = alertHeads.putIfAbsent(head, now);
      if (first != null && now - first < ALERT_WINDOW.toNanos()) {
        failed.add(
            "alerts: the same failure was sent to the alerts chat again instead of edited: "
                + head.replace("\n", " | "));
      }
    }
    alertsJudged = sent.size();
  }

  /** The log once every release of the trial reached the end of its life, or after SETTLE. */
  private LogSnapshot awaitSettled(List<ChaosLoad.Release> releases) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (true) {
      LogSnapshot log = LogSnapshot.read(stack.kafkaBootstrapServers());
      boolean all = releases.stream().allMatch(r -> finalStatus(r, log));
      if (all || System.nanoTime() > deadline) {
        return log;
      }
      pause(1000);
    }
  }

  private static boolean finalStatus(ChaosLoad.Release r, LogSnapshot log) {
    ReleaseState s = log.last(r.id());
    if (s == null) {
      return false;
    }
    return r.rollback() ? ROLLED_BACK.contains(s.status()) : s.status() == ReleaseStatus.DEPLOYED;
  }

  private static void settled(ChaosLoad.Release r, LogSnapshot log, List<String> failed) {
    if (!finalStatus(r, log)) {
      ReleaseState s = log.last(r.id());
      failed.add(
          "settled: release "
              + r.id()
              + " ("
              + r.service()
              + " "
              + r.tag()
              + ") is "
              + (s == null ? "not in the log" : s.status().wire())
              + " after "
              + SETTLE.toSeconds()
              + " s; expected "
              + (r.rollback() ? "rollback_done or rollback_failed" : "deployed"));
    }
  }

  private static void acknowledgedEventsAreInTheLog(
      ChaosLoad load, LogSnapshot log, List<String> failed) {
    for (ChaosLoad.Answered a : load.answers()) {
      List<ReleaseState> chain = log.states().getOrDefault(a.releaseId(), List.of());
      if (chain.size() < a.version()) {
        failed.add(
            "acknowledged: "
                + a.request()
                + " on "
                + a.releaseId()
                + " was answered "
                + a.status()
                + " at version "
                + a.version()
                + " but the log holds "
                + chain.size()
                + " valid events of it");
      } else if (!chain.get((int) a.version() - 1).status().wire().equals(a.status())) {
        failed.add(
            "acknowledged: "
                + a.request()
                + " on "
                + a.releaseId()
                + " was answered "
                + a.status()
                + " at version "
                + a.version()
                + " but the log says "
                + chain.get((int) a.version() - 1).status().wire());
      }
    }
  }

  private static void noStatusEnteredTwice(
      ChaosLoad.Release r, LogSnapshot log, List<String> failed) {
    List<ReleaseState> chain = log.states().getOrDefault(r.id(), List.of());
    Map<ReleaseStatus, Integer> entered = new HashMap<>();
    ReleaseStatus before = null;
    for (ReleaseState s : chain) {
      if (s.status() != before) {
        entered.merge(s.status(), 1, Integer::sum);
      }
      before = s.status();
    }
    entered.forEach(
        (status, n) -> {
          if (n > 1) {
            failed.add(
                "once: release " + r.id() + " entered " + status.wire() + " " + n + " times");
          }
        });
  }

  private static void oneDispatch(ChaosLoad.Release r, LogSnapshot log, List<String> failed) {
    if (log.count(r.id(), "release.quorum-reached.v1") == 0) {
      return;
    }
    long started = log.count(r.id(), "release.dispatch-started.v1");
    // a dispatch answered 5xx (or not at all) after GitHub created its run is a dispatch too
    long atGitHub =
        FakeGitHub.dispatchesTaken().stream()
            .filter(d -> d.at("/inputs/release_id").asText().equals(r.id()))
            .count();
    if (started != 1 || atGitHub != 1) {
      failed.add(
          "once: release "
              + r.id()
              + " has "
              + started
              + " dispatch-started events and "
              + atGitHub
              + " dispatches taken by GitHub; expected 1 and 1");
    }
  }

  private void runbookCommandsAtMostOnce(List<String> failed) {
    Map<String, Long> runs =
        ssh.commands().stream()
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    runs.forEach(
        (command, n) -> {
          if (n > 1) {
            failed.add("once: the runbook command '" + command + "' ran " + n + " times");
          }
        });
  }

  private void readModelEqualsRebuild(List<String> failed) {
    String url = stack.baseUrl(RmmService.RELEASE_PROJECTOR) + "/admin/rebuild?swap=false";
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + stack.apiToken())
                  .timeout(Duration.ofSeconds(120))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        failed.add("rebuild: " + url + " answered " + r.statusCode() + " " + r.body());
        return;
      }
      JsonNode differences = EventCodec.mapper().readTree(r.body()).path("differences");
      differences
          .fields()
          .forEachRemaining(
              f -> {
                if (f.getValue().asLong() != 0) {
                  failed.add(
                      "rebuild: table "
                          + f.getKey()
                          + " differs from a rebuild in "
                          + f.getValue().asLong()
                          + " rows ("
                          + r.body()
                          + ")");
                }
              });
      if (differences.isEmpty()) {
        failed.add("rebuild: no differences reported: " + r.body());
      }
    } catch (IOException e) {
      failed.add("rebuild: " + url + " did not answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed.add("rebuild: interrupted");
    }
  }

  /** The read model catches up: GET /api/v1/releases/{id} shows the log's final status. */
  private void readModelShowsFinalStatus(
      List<ChaosLoad.Release> releases, LogSnapshot log, List<String> failed) {
    Http api = new Http(stack.apiUrl(), stack.apiToken());
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    for (ChaosLoad.Release r : releases) {
      ReleaseState s = log.last(r.id());
      if (s == null) {
        continue;
      }
      String shown = null;
      while (true) {
        try {
          Http.Answer a = api.get("/api/v1/releases/" + r.id());
          shown = a.status() == 200 ? a.body().path("status").asText() : "HTTP " + a.status();
        } catch (IllegalStateException noAnswer) {
          shown = "no answer: " + noAnswer.getMessage();
        }
        if (s.status().wire().equals(shown) || System.nanoTime() > deadline) {
          break;
        }
        pause(500);
      }
      if (!s.status().wire().equals(shown)) {
        failed.add(
            "read model: release "
                + r.id()
                + " shows "
                + shown
                + " but the log says "
                + s.status().wire());
      }
    }
  }

  private static void cardsShowFinalStatus(
      List<ChaosLoad.Release> releases, LogSnapshot log, List<String> failed) {
    long deadline = System.nanoTime() + CATCH_UP.toNanos();
    for (ChaosLoad.Release r : releases) {
      ReleaseState s = log.last(r.id());
      String wanted = s == null ? null : CARD_STATUS.get(s.status());
      if (wanted == null) {
        continue;
      }
      String card = null;
      while (true) {
        card = card(r);
        if ((card != null && card.contains(wanted)) || System.nanoTime() > deadline) {
          break;
        }
        pause(500);
      }
      if (card == null || !card.contains(wanted)) {
        failed.add(
            "card: the team card of "
                + r.service()
                + " "
                + r.tag()
                + " ("
                + r.id()
                + ") does not show '"
                + wanted
                + "': "
                + (card == null ? "no card" : card.lines().skip(2).findFirst().orElse(card)));
      }
    }
  }

  private static String card(ChaosLoad.Release r) {
    String head = "📦 Service: " + r.service() + "\n🏷️ Tag: " + r.tag() + "\n";
    List<SentMessage> cards =
        ChaosStack.BOT_API.messages(ChaosLoad.TEAM).stream()
            .filter(m -> m.text().startsWith(head))
            .toList();
    return cards.isEmpty() ? null : cards.get(cards.size() - 1).text();
  }

  /**
   * Every press showed its outcome to the user who pressed: the answer to its callback query (the
   * spinner ends, with the answer's text), or, since Telegram takes that answer only for a short
   * while and an outage may outlast it, a message in reply to the pressed message (the approve
   * press's confirmation, or the answer's text sent instead), or, for a press on a confirmation,
   * that confirmation edited to the decision. A live card's edits follow its release, not the
   * press, so they do not count for a press on the card. (Any reply to the pressed message after
   * the press counts: two approvers pressing one card at once could cover for each other.)
   */
  private static void everyPressAnswered(ChaosLoad load, List<String> failed) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (ChaosLoad.Press p : load.presses()) {
      boolean onConfirmation = p.what().startsWith("confirm");
      while (!shown(ChaosStack.BOT_API.pressOutcome(p.callbackId()), onConfirmation)
          && System.nanoTime() < deadline) {
        pause(200);
      }
      if (!shown(ChaosStack.BOT_API.pressOutcome(p.callbackId()), onConfirmation)) {
        failed.add(
            "telegram: the press "
                + p.what()
                + " on release "
                + p.releaseId()
                + " (callback query "
                + p.callbackId()
                + ") was never answered, nor its message replied to"
                + (onConfirmation ? " or edited" : ""));
      }
    }
  }

  private static boolean shown(FakeBotApi.PressOutcome o, boolean onConfirmation) {
    return o.answer() != null
        || o.repliedAtNanos() != null
        || (onConfirmation && o.editedAtNanos() != null);
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
