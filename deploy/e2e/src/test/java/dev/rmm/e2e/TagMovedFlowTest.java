package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeBotApi.SentMessage;
import dev.rmm.testsupport.FakeGitHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15 point 2 end to end: approvals are bound to the commit they were given for. The pipeline
 * talks to rmm through the real {@code .github/actions/rmm-report} script ({@link ReportAction}),
 * which sends the commit the tag points at with every step of a run on the tag; approvals are
 * pressed in the team chat. When a run reports another commit for the same tag after approvals were
 * given (the tag was moved), the approvals are void, the card says why, a confirmation opened
 * before is refused as stale, and only a quorum met again on the new commit dispatches it, once.
 * After the quorum a moved tag is refused at the production run's first report. A pipeline re-run
 * after the tag moved runs the stage phase again for the new commit, its approvals void.
 */
@Order(FakesStack.ORDER)
class TagMovedFlowTest {

  static final long TEAM = FakesStack.TEAM;
  static final long ALICE = 1001;
  static final long BOB = 1002;
  static final Duration PATIENCE = Duration.ofSeconds(45);

  /** What the tag named when it was pushed, and after it was moved (full ids, as GitHub's). */
  static final String OLD = "3f2c1a9e0b7d4c6a8e1f2b3c4d5e6f7a8b9c0d1e";

  static final String NEW = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807";

  @RegisterExtension static final StackExtension stack = FakesStack.extension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger UPDATE_IDS = new AtomicInteger(70_000);

  private final Pipeline pipeline = new Pipeline(stack);

  @BeforeEach
  void github() {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("*", "on-approve-manual-testing.yml");
  }

  @Test
  void
      givenAnApproval_whenTheTagMovesBeforeTheQuorum_thenVoidedAndOnlyTheNewCommitDispatchedOnce() {
    ReportAction stage =
        new ReportAction(stack.apiUrl(), stack.apiToken(), "acme/mover", "v7.0.0", "701");
    String id = toManualTesting(stage, "mover", OLD);
    SentMessage card = liveCard("mover", "v7.0.0", "Manual testing");

    // Alice approves the commit the tag named; Bob opens his confirmation but has not said yes
    assertThat(approve(ALICE, "Alice", card)).isEqualTo("✅ Your approval is counted (1/2)");
    SentMessage bobsConfirmation = openConfirmation(BOB, "Bob", card, "v7.0.0");
    assertThat(pipeline.events(id, "release.approval-granted.v1"))
        .singleElement()
        .satisfies(a -> assertThat(a.at("/data/commit_sha").asText()).isEqualTo(OLD));

    // the tag is moved and the stage run reports it again: its hand-over names the new commit
    ReportAction.Run moved = stage.step(id, "manual_testing", NEW);
    assertThat(moved.exit()).as(moved.output()).isZero();

    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.types(id).contains("release.approvals-voided.v1"));
    JsonNode voided = only(id, "release.approvals-voided.v1");
    assertThat(voided.at("/data/tag").asText()).isEqualTo("v7.0.0");
    assertThat(voided.at("/data/from_commit").asText()).isEqualTo(OLD);
    assertThat(voided.at("/data/to_commit").asText()).isEqualTo(NEW);
    assertThat(voided.at("/data/approver_ids").toString()).isEqualTo("[1001]");
    // the team's live card says why its approvals are gone
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                message(card.messageId())
                    .text()
                    .contains(
                        "♻️ Tag v7.0.0 moved from commit 3f2c1a9 to 9e8d7c6; approvals void:"
                            + " Alice QA"));
    assertThat(message(card.messageId()).text()).contains("Manual testing");

    // Bob says yes on the confirmation he opened before: it showed the old commit, so it is stale
    JsonNode stale =
        answerTo(press(BOB, "Bob", bobsConfirmation.messageId(), bobsConfirmation.button("✅ Yes")));
    assertThat(stale.path("text").asText()).startsWith("🔄 The card was out of date");
    assertThat(pipeline.count(id, "release.approval-granted.v1")).isEqualTo(1);

    // the old approval no longer counts: Bob's approval (on behalf, over HTTP) is one of two
    Http.Answer bob =
        pipeline
            .api()
            .post(
                "/api/v1/releases/" + id + "/approvals",
                "{\"telegram_user_id\":" + BOB + ",\"name\":\"Bob Lead\"}");
    assertThat(bob.status()).as(String.valueOf(bob.body())).isEqualTo(200);
    assertThat(bob.body().path("status").asText()).isEqualTo("manual_testing");
    assertThat(bob.body().path("commit_sha").asText()).isEqualTo(NEW);
    await().atMost(PATIENCE).until(() -> pipeline.count(id, "release.approval-granted.v1") == 2);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(PATIENCE)
        .until(
            () ->
                FakeGitHub.dispatchesArrived(id) == 0
                    && pipeline.count(id, "release.quorum-reached.v1") == 0);

    // Alice approves again, now the new commit: the quorum, and one dispatch of the new commit
    pipeline.approve(id, ALICE);
    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.dispatches(id)).hasSize(1);
    assertThat(FakeGitHub.dispatches(id).get(0).body().at("/inputs/commit_sha").asText())
        .isEqualTo(NEW);
    assertThat(FakeGitHub.dispatchesArrived(id)).isEqualTo(1);
    assertThat(pipeline.count(id, "release.dispatch-started.v1")).isEqualTo(1);
    assertThat(pipeline.events(id, "release.approval-granted.v1"))
        .extracting(a -> a.at("/data/commit_sha").asText())
        .containsExactly(OLD, NEW, NEW);
    assertThat(pipeline.types(id))
        .containsSubsequence(
            "release.approval-granted.v1",
            "release.approvals-voided.v1",
            "release.action-refused.v1",
            "release.approval-granted.v1",
            "release.approval-granted.v1",
            "release.quorum-reached.v1",
            "release.dispatch-started.v1",
            "release.workflow-dispatched.v1");
  }

  @Test
  void givenTheQuorum_whenTheProductionRunFindsTheTagMoved_thenItsReportIsRefusedAndNothingMoves() {
    ReportAction stage =
        new ReportAction(stack.apiUrl(), stack.apiToken(), "acme/pinned", "v7.1.0", "711");
    String id = toManualTesting(stage, "pinned", OLD);
    pipeline.approve(id, ALICE, BOB);
    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.dispatches(id).get(0).body().at("/inputs/commit_sha").asText())
        .isEqualTo(OLD);

    // the dispatched production run starts on the tag, which was moved meanwhile
    ReportAction production =
        new ReportAction(stack.apiUrl(), stack.apiToken(), "acme/pinned", "v7.1.0", "712");
    ReportAction.Run deploying = production.step(id, "deploying", NEW);

    assertThat(deploying.exit()).as(deploying.output()).isNotZero();
    assertThat(deploying.output())
        .contains("::error::rmm answered 409:")
        .contains("moved from commit " + OLD + " to " + NEW)
        .contains("push a new tag for " + NEW);
    await().atMost(PATIENCE).until(() -> pipeline.types(id).contains("release.action-refused.v1"));
    assertThat(pipeline.status(id)).isEqualTo("manual_test_passed");
    assertThat(pipeline.count(id, "release.approvals-voided.v1")).isZero();
    assertThat(FakeGitHub.dispatchesArrived(id)).isEqualTo(1);
    assertThat(pipeline.count(id, "release.dispatch-started.v1")).isEqualTo(1);

    // the same run on the approved commit goes on
    ReportAction.Run approved = production.step(id, "deploying", OLD);
    assertThat(approved.exit()).as(approved.output()).isZero();
    await().atMost(PATIENCE).until(() -> "deploying".equals(pipeline.status(id)));
  }

  @Test
  void givenAnApproval_whenTheTagMovesAndThePipelineIsReRun_thenTheStageRunsAgainForTheNewCommit() {
    ReportAction stage =
        new ReportAction(stack.apiUrl(), stack.apiToken(), "acme/restager", "v7.2.0", "721");
    String id = toManualTesting(stage, "restager", OLD);
    pipeline.approve(id, ALICE);
    await().atMost(PATIENCE).until(() -> pipeline.count(id, "release.approval-granted.v1") == 1);

    // the team moves the tag and re-runs the pipeline: the stage phase again, on the new commit
    for (String status : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      ReportAction.Run step = stage.step(id, status, NEW);
      assertThat(step.exit()).as(status + ": " + step.output()).isZero();
    }

    // three steps the first time, three again
    await().atMost(PATIENCE).until(() -> pipeline.count(id, "release.status-changed.v1") == 6);
    assertThat(pipeline.status(id)).isEqualTo("manual_testing");
    JsonNode voided = only(id, "release.approvals-voided.v1");
    assertThat(voided.at("/data/to_commit").asText()).isEqualTo(NEW);
    assertThat(voided.at("/data/approver_ids").toString()).isEqualTo("[1001]");
    assertThat(voided.at("/data/reason").asText()).startsWith("the pipeline re-ran the stage");
    // a re-run without a moved tag is refused: the approvals of the new commit are not touched
    ReportAction.Run again = stage.step(id, "stage_building", NEW);
    assertThat(again.exit()).as(again.output()).isNotZero();
    assertThat(again.output()).contains("accepted only for a moved tag");

    // Alice's approval was for the old commit: the quorum needs two approvals of the new one
    pipeline.approve(id, BOB);
    await().atMost(PATIENCE).until(() -> pipeline.count(id, "release.approval-granted.v1") == 2);
    assertThat(pipeline.count(id, "release.quorum-reached.v1")).isZero();
    pipeline.approve(id, ALICE);
    await()
        .atMost(PATIENCE)
        .until(() -> pipeline.types(id).contains("release.workflow-dispatched.v1"));
    assertThat(FakeGitHub.dispatches(id)).hasSize(1);
    assertThat(FakeGitHub.dispatches(id).get(0).body().at("/inputs/commit_sha").asText())
        .isEqualTo(NEW);
  }

  // ------------------------------------------------------------------ helpers

  /** The stage workflow's reports, through the action: create, the stage steps, manual testing. */
  private String toManualTesting(ReportAction stage, String service, String commit) {
    ReportAction.Run created = stage.create(service, commit);
    assertThat(created.exit()).as(created.output()).isZero();
    String id = created.outputs().get("release-id");
    assertThat(id).as(created.output()).isNotBlank();
    for (String status : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      ReportAction.Run step = stage.step(id, status, commit);
      assertThat(step.exit()).as(status + ": " + step.output()).isZero();
    }
    return id;
  }

  private JsonNode only(String id, String type) {
    List<JsonNode> found = pipeline.events(id, type);
    assertThat(found).as(type + " in the timeline of " + id).hasSize(1);
    return found.get(0);
  }

  /** The team chat's live card of a release, once it shows the status. */
  private SentMessage liveCard(String service, String tag, String statusWords) {
    return awaitMessage(
        m ->
            m.text().startsWith("📦 Service: " + service + "\n🏷️ Tag: " + tag + "\n")
                && m.text().contains(statusWords));
  }

  /** Presses Approve on a card, then "yes" on the confirmation; returns the answer's text. */
  private String approve(long user, String name, SentMessage card) {
    String tag = card.text().lines().skip(1).findFirst().orElseThrow().replace("🏷️ Tag: ", "");
    SentMessage confirm = openConfirmation(user, name, card, tag);
    return answerTo(press(user, name, confirm.messageId(), confirm.button("✅ Yes")))
        .path("text")
        .asText();
  }

  /** Presses Approve on a card: the confirmation the bot asks with. */
  private SentMessage openConfirmation(long user, String name, SentMessage card, String tag) {
    int known = FakesStack.BOT_API.messages(TEAM).size();
    answerTo(press(user, name, card.messageId(), message(card.messageId()).button("✅ Approve")));
    return awaitMessage(
        m ->
            m.text().startsWith("Approve ")
                && m.text().contains(" " + tag + "?")
                && m.replyMarkup() != null
                && FakesStack.BOT_API.messages(TEAM).indexOf(m) >= known);
  }

  private SentMessage awaitMessage(Predicate<SentMessage> wanted) {
    await()
        .atMost(PATIENCE)
        .until(() -> FakesStack.BOT_API.messages(TEAM).stream().anyMatch(wanted));
    return FakesStack.BOT_API.messages(TEAM).stream()
        .filter(wanted)
        .reduce((a, b) -> b)
        .orElseThrow();
  }

  private SentMessage message(int messageId) {
    return FakesStack.BOT_API.messages(TEAM).stream()
        .filter(m -> m.messageId() == messageId)
        .findFirst()
        .orElseThrow();
  }

  private String press(long user, String name, int messageId, String data) {
    String update =
        FakesStack.BOT_API.callback(
            UPDATE_IDS.incrementAndGet(), user, name, "en", TEAM, messageId, data);
    FakesStack.BOT_API.push(update);
    try {
      return JSON.readTree(update).at("/callback_query/id").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode answerTo(String callbackId) {
    await().atMost(PATIENCE).until(() -> !answers(callbackId).isEmpty());
    return answers(callbackId).get(0);
  }

  private static List<JsonNode> answers(String callbackId) {
    return FakesStack.BOT_API.calls("answerCallbackQuery").stream()
        .map(FakeBotApi::json)
        .filter(n -> n.path("callback_query_id").asText().equals(callbackId))
        .toList();
  }
}
