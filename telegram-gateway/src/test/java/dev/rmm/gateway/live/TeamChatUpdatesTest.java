package dev.rmm.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.ReleaseRows;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.live.TeamChatUpdates.CardMessage;
import dev.rmm.gateway.live.TeamChatUpdates.CardStep;
import dev.rmm.gateway.live.TeamChatUpdates.CardUpdate;
import dev.rmm.gateway.live.TeamChatUpdates.Read;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * What the team chat and the alerts chat get from a batch of the log, without Kafka, Redis, the
 * read model or Telegram: the rules {@link TeamCards} follows.
 */
class TeamChatUpdatesTest {

  private static final String BILLING = "637b50d7-d381-3ff7-8b68-eb3483472972";
  private static final String SEARCH = "a1c3a0de-6d0e-3b8e-9f1e-0c2b7d4e5f60";
  private static final TopicPartition P0 = new TopicPartition("rmm.release-events", 0);
  private static final Instant NOW = Instant.parse("2026-11-26T20:00:00Z");
  private static final Instant BACKFILL_START = NOW.minusSeconds(3600);

  @Test
  void givenThreeEventsOfOneRelease_whenBatched_thenOneCardAtTheNewestAndEveryEventInOrder() {
    EventEnvelope building = changed(BILLING, 2, ReleaseStatus.INITIATED, "00-a");
    EventEnvelope rollingBack = changed(BILLING, 3, ReleaseStatus.STAGE_BUILDING, "00-b");
    EventEnvelope manual = changed(BILLING, 4, ReleaseStatus.STAGE_TEST_ROLLBACK, "00-c");

    TeamChatUpdates.Batch batch =
        TeamChatUpdates.of(
            List.of(read(building, 10), read(rollingBack, 11), read(manual, 12)), BACKFILL_START);

    assertThat(batch.cards()).containsExactly(new CardUpdate(BILLING, 4, "00-c", P0, 12));
    assertThat(batch.events()).containsExactly(building, rollingBack, manual);
  }

  @Test
  void
      givenARefusalAfterAStatusChange_whenBatched_thenTheCardStaysAtTheChangeWithTheRefusalsTrace() {
    EventEnvelope deployed = changed(BILLING, 7, ReleaseStatus.DEPLOYING, "00-deploy");
    EventEnvelope refused =
        event(
            BILLING,
            8,
            new ReleaseEvent.ActionRefused("approve", "not_allowed", "user 7 is not"),
            "00-refused");

    TeamChatUpdates.Batch batch =
        TeamChatUpdates.of(List.of(read(deployed, 20), read(refused, 21)), BACKFILL_START);

    // a refusal is audit only: the card shows version 7, and its edit continues the newest trace
    assertThat(batch.cards()).containsExactly(new CardUpdate(BILLING, 7, "00-refused", P0, 20));
    assertThat(batch.events()).containsExactly(deployed, refused);
  }

  @Test
  void givenOnlyARefusal_whenBatched_thenNoCardChangesButTheEventIsStillSeen() {
    EventEnvelope refused =
        event(BILLING, 8, new ReleaseEvent.ActionRefused("reject", "not_allowed", "no"), "00-r");

    TeamChatUpdates.Batch batch = TeamChatUpdates.of(List.of(read(refused, 5)), BACKFILL_START);

    assertThat(batch.cards()).isEmpty();
    assertThat(batch.events()).containsExactly(refused);
  }

  @Test
  void givenEventsFromBeforeTheBackfillWindow_whenBatched_thenTheyAreNeitherCardsNorNotices() {
    EventEnvelope history =
        event(
            BILLING,
            2,
            BACKFILL_START.minusSeconds(1),
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.DEPLOYING, ReleaseStatus.PRODUCTION_FAILED, null),
            "00-old");

    TeamChatUpdates.Batch batch = TeamChatUpdates.of(List.of(read(history, 1)), BACKFILL_START);

    assertThat(batch.cards()).isEmpty();
    assertThat(batch.events()).isEmpty();
  }

  @Test
  void givenTwoReleasesInterleaved_whenBatched_thenOneCardEachInTheOrderTheyFirstAppeared() {
    EventEnvelope search1 = changed(SEARCH, 2, ReleaseStatus.INITIATED, "00-s1");
    EventEnvelope billing1 = changed(BILLING, 3, ReleaseStatus.STAGE_BUILDING, "00-b1");
    EventEnvelope search2 = changed(SEARCH, 3, ReleaseStatus.STAGE_BUILDING, "00-s2");

    TeamChatUpdates.Batch batch =
        TeamChatUpdates.of(
            List.of(read(search1, 30), read(billing1, 31), read(search2, 32)), BACKFILL_START);

    assertThat(batch.cards())
        .containsExactly(
            new CardUpdate(SEARCH, 3, "00-s2", P0, 32),
            new CardUpdate(BILLING, 3, "00-b1", P0, 31));
  }

  @Test
  void givenTheReadModelBehindOrWithoutTheRelease_whenTheCardIsDue_thenItWaits() {
    assertThat(TeamChatUpdates.card(6, Optional.of(row(BILLING, 5)), true))
        .isEqualTo(CardStep.WAIT);
    assertThat(TeamChatUpdates.card(6, Optional.empty(), true)).isEqualTo(CardStep.WAIT);
  }

  @Test
  void givenTheReadModelAtOrPastTheEvent_whenTheCardIsDue_thenItIsDrawnUnlessThereIsNoTeamChat() {
    assertThat(TeamChatUpdates.card(6, Optional.of(row(BILLING, 6)), true))
        .isEqualTo(CardStep.DRAW);
    assertThat(TeamChatUpdates.card(6, Optional.of(row(BILLING, 9)), true))
        .isEqualTo(CardStep.DRAW);
    assertThat(TeamChatUpdates.card(6, Optional.empty(), false)).isEqualTo(CardStep.NONE);
  }

  @Test
  void givenAProductionFailure_whenNoticed_thenTheTeamIsToldAndTheAlertsChatAlerted() {
    EventEnvelope failed =
        event(
            BILLING,
            9,
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.DEPLOYING, ReleaseStatus.PRODUCTION_FAILED, "smoke test red"),
            null);
    ReleaseView billing = ReleaseRows.named("billing", "v1.4.0");

    TeamChatUpdates.Notices both =
        TeamChatUpdates.notices(failed, billing, Language.EN, true, true);
    TeamChatUpdates.Notices teamOnly =
        TeamChatUpdates.notices(failed, billing, Language.EN, true, false);
    TeamChatUpdates.Notices alertsOnly =
        TeamChatUpdates.notices(failed, billing, Language.EN, false, true);

    assertThat(both.announcement().orElseThrow().text())
        .isEqualTo("❌ billing v1.4.0: 🔥 Production deploy failed (smoke test red)");
    assertThat(both.alert().map(Alert::kind)).contains(Alert.PRODUCTION_FAILED);
    assertThat(teamOnly.announcement()).isPresent();
    assertThat(teamOnly.alert()).isEmpty();
    assertThat(alertsOnly.announcement()).isEmpty();
    assertThat(alertsOnly.alert().map(Alert::kind)).contains(Alert.PRODUCTION_FAILED);
  }

  @Test
  void givenAFailedDispatch_whenNoticed_thenBothChatsHearOfIt() {
    EventEnvelope failed =
        event(BILLING, 9, new ReleaseEvent.DispatchFailed("d-1", 401, "Bad credentials", 1), null);

    TeamChatUpdates.Notices n =
        TeamChatUpdates.notices(
            failed, ReleaseRows.named("billing", "v1.4.0"), Language.EN, true, true);

    assertThat(n.announcement().orElseThrow().text())
        .isEqualTo(
            "🆘 billing v1.4.0: the production workflow could not be started: 401 Bad credentials");
    assertThat(n.alert().map(Alert::kind)).contains(Alert.DISPATCH_FAILED);
  }

  @Test
  void givenManualTestingOrProgress_whenNoticed_thenOnlyTheTeamChatOrNobodyHearsOfIt() {
    EventEnvelope manual = changed(BILLING, 5, ReleaseStatus.STAGE_TEST_ROLLBACK, null);
    EventEnvelope building = changed(BILLING, 2, ReleaseStatus.INITIATED, null);
    ReleaseView billing = ReleaseRows.named("billing", "v1.4.0");

    TeamChatUpdates.Notices approvalNeeded =
        TeamChatUpdates.notices(manual, billing, Language.EN, true, true);
    TeamChatUpdates.Notices progress =
        TeamChatUpdates.notices(building, billing, Language.EN, true, true);

    assertThat(approvalNeeded.announcement().orElseThrow().text())
        .startsWith("🧪 billing v1.4.0 is ready for manual testing.");
    assertThat(approvalNeeded.alert()).isEmpty();
    assertThat(progress.announcement()).isEmpty();
    assertThat(progress.alert()).isEmpty();
  }

  @Test
  void givenWhatIsKnownOfTheCardsMessage_whenShown_thenItIsPostedEditedOrKept() {
    assertThat(TeamChatUpdates.message(null, false)).isEqualTo(CardMessage.POST);
    assertThat(TeamChatUpdates.message("42", false)).isEqualTo(CardMessage.EDIT);
    assertThat(TeamChatUpdates.message("42", true)).isEqualTo(CardMessage.KEEP);
  }

  /** A status change to the status that follows {@code from} in the usual path. */
  private static EventEnvelope changed(
      String releaseId, long sequence, ReleaseStatus from, String traceparent) {
    ReleaseStatus to =
        switch (from) {
          case INITIATED -> ReleaseStatus.STAGE_BUILDING;
          case STAGE_BUILDING -> ReleaseStatus.STAGE_TEST_ROLLBACK;
          case STAGE_TEST_ROLLBACK -> ReleaseStatus.MANUAL_TESTING;
          case DEPLOYING -> ReleaseStatus.DEPLOYED;
          default -> throw new IllegalArgumentException("no usual step from " + from);
        };
    return event(releaseId, sequence, new ReleaseEvent.StatusChanged(from, to, null), traceparent);
  }

  private static EventEnvelope event(
      String releaseId, long sequence, ReleaseEvent data, String traceparent) {
    return event(releaseId, sequence, NOW, data, traceparent);
  }

  private static EventEnvelope event(
      String releaseId, long sequence, Instant at, ReleaseEvent data, String traceparent) {
    return new EventEnvelope(
        "e-" + releaseId.substring(0, 4) + "-" + sequence,
        releaseId,
        sequence,
        at,
        Actor.system("test"),
        "c",
        "c",
        traceparent,
        data);
  }

  private static Read read(EventEnvelope e, long offset) {
    return new Read(e, P0, offset);
  }

  private static ReleaseView row(String releaseId, long version) {
    return ReleaseRows.view(
        EventCodec.mapper()
            .createObjectNode()
            .put("release_id", releaseId)
            .put("service_name", "billing")
            .put("release_tag", "v1.4.0")
            .put("version", version));
  }
}
