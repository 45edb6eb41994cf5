package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYED;
import static dev.rmm.contracts.ReleaseStatus.PRODUCTION_ROLLBACK;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.ReleaseCommand.FinishRunbook;
import dev.rmm.contracts.ReleaseCommand.RecordRunbookStep;
import dev.rmm.contracts.ReleaseCommand.RequestRollback;
import dev.rmm.contracts.ReleaseCommand.StartRunbook;
import dev.rmm.contracts.ReleaseEvent.RunbookFinished;
import dev.rmm.contracts.ReleaseEvent.RunbookStarted;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import org.junit.jupiter.api.Test;

/** The rollback runbook an admin requested: claimed once, its steps recorded, ended once. */
class ReleaseDeciderRunbookTest {

  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1", "deploy-orchestrator");

  private final ReleaseState deployed = inStatus(DEPLOYED);
  private final ReleaseState rollingBack =
      evolveAll(
          deployed,
          accepted(
              decide(
                  new RequestRollback(
                      ID, ADMIN, "v1.2.2", deployed.version(), Actor.telegram(ADMIN, "Olga")),
                  deployed,
                  Releases.TARGETS)));

  private ReleaseState started(String runId) {
    return evolveAll(
        rollingBack,
        accepted(decide(new StartRunbook(ID, runId, "prod-1:22", ORCHESTRATOR), rollingBack)));
  }

  @Test
  void
      givenARequestedRollback_whenTheOrchestratorStartsTheRunbook_thenItIsClaimedForTheTargetTag() {
    var events =
        accepted(decide(new StartRunbook(ID, "rb-1", "prod-1:22", ORCHESTRATOR), rollingBack));

    assertThat(events).containsExactly(new RunbookStarted("rb-1", "prod-1:22", "v1.2.2"));
    ReleaseState after = evolveAll(rollingBack, events);
    assertThat(after.status()).isEqualTo(PRODUCTION_ROLLBACK);
    assertThat(after.runbook().finished()).isFalse();
  }

  @Test
  void givenAStartedRunbook_thenTheSameIdIsARepeatAndAnotherIdConflicts() {
    ReleaseState s = started("rb-1");

    assertThat(accepted(decide(new StartRunbook(ID, "rb-1", "prod-1:22", ORCHESTRATOR), s)))
        .isEmpty();
    assertThat(
            refused(
                    decide(new StartRunbook(ID, "rb-2", "prod-1:22", ORCHESTRATOR), s),
                    Refusal.CONFLICT)
                .detail())
        .isEqualTo("runbook rb-1 of release " + ID + " already started");
  }

  @Test
  void givenStepsAndAFailure_thenTheReleaseIsRollbackFailedWithTheStepOnce() {
    ReleaseState s = started("rb-1");
    s =
        evolveAll(
            s,
            accepted(
                decide(
                    new RecordRunbookStep(
                        ID,
                        "rb-1",
                        "migrations",
                        "./migrate down v1.2.2",
                        3,
                        120,
                        "boom",
                        false,
                        ORCHESTRATOR),
                    s)));
    assertThat(s.runbook().steps()).isEqualTo(1);

    FinishRunbook finish =
        new FinishRunbook(ID, "rb-1", false, "migrations", "migrations exited 3", ORCHESTRATOR);
    var events = accepted(decide(finish, s));

    assertThat(events)
        .containsExactly(
            new RunbookFinished("rb-1", false, "migrations", "migrations exited 3"),
            new StatusChanged(
                PRODUCTION_ROLLBACK, ReleaseStatus.ROLLBACK_FAILED, "migrations exited 3"));
    ReleaseState done = evolveAll(s, events);
    assertThat(done.status()).isEqualTo(ReleaseStatus.ROLLBACK_FAILED);
    assertThat(accepted(decide(finish, done))).isEmpty();
    assertThat(
            refused(
                    decide(
                        new RecordRunbookStep(ID, "rb-1", "up", "x", 0, 1, "", true, ORCHESTRATOR),
                        done),
                    Refusal.CONFLICT)
                .detail())
        .isEqualTo("runbook rb-1 of release " + ID + " is not running");
  }

  @Test
  void givenASuccess_thenRollbackDone() {
    var events =
        accepted(
            decide(
                new FinishRunbook(ID, "rb-1", true, null, "rolled back to v1.2.2", ORCHESTRATOR),
                started("rb-1")));

    assertThat(evolveAll(started("rb-1"), events).status()).isEqualTo(ReleaseStatus.ROLLBACK_DONE);
  }

  @Test
  void givenNoRequestedRollback_thenNoRunbook_andOnlyTheOrchestratorRunsOne() {
    assertThat(
            refused(
                    decide(new StartRunbook(ID, "rb-1", "h", ORCHESTRATOR), deployed),
                    Refusal.ILLEGAL_TRANSITION)
                .detail())
        .isEqualTo("release is deployed; a runbook runs only for a rollback an admin requested");
    assertThat(
            refused(
                    decide(
                        new StartRunbook(ID, "rb-1", "h", Actor.telegram(ADMIN, "Olga")),
                        rollingBack),
                    Refusal.NOT_ALLOWED)
                .detail())
        .isEqualTo("only the orchestrator runs runbooks");
  }
}
