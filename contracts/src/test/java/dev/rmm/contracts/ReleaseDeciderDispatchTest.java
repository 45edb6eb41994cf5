package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.assertAudited;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.none;
import static dev.rmm.contracts.Releases.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.ReleaseCommand.RecordDispatch;
import dev.rmm.contracts.ReleaseCommand.StartDispatch;
import dev.rmm.contracts.ReleaseEvent.DispatchFailed;
import dev.rmm.contracts.ReleaseEvent.DispatchStarted;
import dev.rmm.contracts.ReleaseEvent.WorkflowDispatched;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The orchestrator claims the production dispatch once, then records how it ended. */
class ReleaseDeciderDispatchTest {

  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1", "deploy-orchestrator");

  private final ReleaseState passed = inStatus(MANUAL_TEST_PASSED);

  private static StartDispatch start(String dispatchId) {
    return new StartDispatch(ID, dispatchId, "acme/app", "deploy.yml", "main", ORCHESTRATOR);
  }

  private static RecordDispatch record(String dispatchId, boolean ok, int status) {
    return new RecordDispatch(
        ID, dispatchId, ok, status, ok ? null : "Bad credentials", 1, ORCHESTRATOR);
  }

  @Test
  void
      givenAPassedRelease_whenTheOrchestratorStartsADispatch_thenItIsRecordedWithoutAStatusChange() {
    var events = accepted(decide(start("d-1"), passed));

    assertThat(events)
        .containsExactly(new DispatchStarted("d-1", "acme/app", "deploy.yml", "main"));
    ReleaseState after = evolveAll(passed, events);
    assertThat(after.status()).isEqualTo(MANUAL_TEST_PASSED);
    assertThat(after.statusVersion()).isEqualTo(passed.statusVersion());
    assertThat(after.dispatch().id()).isEqualTo("d-1");
    assertThat(after.dispatch().outcome()).isNull();
  }

  @Test
  void givenAStartedDispatch_whenTheSameIdStartsAgain_thenNothingNew_andAnotherIdConflicts() {
    ReleaseState started = evolveAll(passed, accepted(decide(start("d-1"), passed)));

    assertThat(accepted(decide(start("d-1"), started))).isEmpty();
    assertThat(refused(decide(start("d-2"), started), Refusal.CONFLICT).detail())
        .isEqualTo("dispatch d-1 of release " + ID + " already started");
  }

  @Test
  void givenAStartedDispatch_whenItsOutcomeIsRecorded_thenOnceOnly() {
    ReleaseState started = evolveAll(passed, accepted(decide(start("d-1"), passed)));

    var events = accepted(decide(record("d-1", true, 204), started));
    assertThat(events).containsExactly(new WorkflowDispatched("d-1", 204, 1));
    ReleaseState done = evolveAll(started, events);
    assertThat(done.dispatch().outcome()).isEqualTo(ReleaseState.Dispatch.DISPATCHED);
    assertThat(accepted(decide(record("d-1", false, 401), done))).isEmpty();

    var failed = accepted(decide(record("d-1", false, 401), started));
    assertThat(failed).containsExactly(new DispatchFailed("d-1", 401, "Bad credentials", 1));
    assertThat(evolveAll(started, failed).dispatch().detail()).isEqualTo("Bad credentials");
  }

  @Test
  void givenNoDispatch_whenAnOutcomeIsRecorded_thenConflict() {
    assertThat(refused(decide(record("d-9", true, 204), passed), Refusal.CONFLICT).detail())
        .isEqualTo("dispatch d-9 of release " + ID + " was not started");
  }

  @Test
  void givenAReleaseStillInTesting_whenADispatchStarts_thenIllegal() {
    assertThat(
            refused(decide(start("d-1"), inStatus(MANUAL_TESTING)), Refusal.ILLEGAL_TRANSITION)
                .detail())
        .isEqualTo(
            "release is manual_testing; only a release that passed manual testing is dispatched");
    assertThat(refused(decide(start("d-1"), none()), Refusal.NOT_FOUND).events()).isEmpty();
  }

  @Test
  void givenSomebodyElse_whenTheyStartADispatch_thenNotAllowedAndAudited() {
    StartDispatch byUser =
        new StartDispatch(
            ID, "d-1", "acme/app", "deploy.yml", "main", Actor.telegram(ADMIN, "Olga"));

    var refused = refused(decide(byUser, passed), Refusal.NOT_ALLOWED);

    assertAudited(refused, "dispatch");
    assertThat(refused.detail()).isEqualTo("only the orchestrator dispatches workflows");
    assertThat(refused.events()).hasSize(1);
    assertThat(evolveAll(passed, List.copyOf(refused.events())).dispatch()).isNull();
  }
}
