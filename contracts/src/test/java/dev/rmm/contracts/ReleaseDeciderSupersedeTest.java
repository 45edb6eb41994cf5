package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolve;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.approve;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.none;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.report;
import static dev.rmm.contracts.Releases.telegram;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.StartDispatch;
import dev.rmm.contracts.ReleaseCommand.SupersedeRelease;
import dev.rmm.contracts.ReleaseEvent.DispatchStarted;
import dev.rmm.contracts.ReleaseEvent.ReleaseSuperseded;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The orchestrator supersedes an older release of a service once a newer one reached manual
 * testing: the older one is cancelled unless it has started toward production.
 */
class ReleaseDeciderSupersedeTest {

  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1", "deploy-orchestrator");
  private static final String NEWER = "7d0c4b1e-5a8f-3e2d-9c6b-1f0e2d3c4b5a";

  private static SupersedeRelease supersede(Actor actor) {
    return new SupersedeRelease(ID, NEWER, "v1.5.0", actor);
  }

  @Test
  void givenAReleaseInManualTesting_whenSuperseded_thenItIsCancelledNamingTheNewerRelease() {
    ReleaseState state = inStatus(ReleaseStatus.MANUAL_TESTING);

    List<ReleaseEvent> events = accepted(decide(supersede(ORCHESTRATOR), state));

    assertThat(events)
        .containsExactly(new ReleaseSuperseded(ReleaseStatus.MANUAL_TESTING, NEWER, "v1.5.0"));
    assertThat(evolveAll(state, events).status()).isEqualTo(ReleaseStatus.CANCELLED);
  }

  @ParameterizedTest
  @EnumSource(ReleaseStatus.class)
  void givenAnyStatus_whenSuperseded_thenOnlyAReleaseBeforeDeployingIsCancelled(
      ReleaseStatus status) {
    ReleaseState state = inStatus(status);

    Decision decision = decide(supersede(ORCHESTRATOR), state);

    if (status == ReleaseStatus.CANCELLED) {
      assertThat(accepted(decision)).as("already cancelled: nothing more").isEmpty();
    } else if (status.ordinal() < ReleaseStatus.DEPLOYING.ordinal() && !status.isTerminal()) {
      assertThat(accepted(decision))
          .containsExactly(new ReleaseSuperseded(status, NEWER, "v1.5.0"));
    } else {
      Refused r = refused(decision, Refusal.ILLEGAL_TRANSITION);
      assertThat(r.events()).as("a refused supersede appends nothing").isEmpty();
      assertThat(r.detail())
          .contains("is " + status)
          .contains("only a release that has not started toward production is superseded");
    }
  }

  @Test
  void givenADeployingRelease_whenSuperseded_thenRefusedWithNoEvent() {
    Refused r =
        refused(
            decide(supersede(ORCHESTRATOR), inStatus(ReleaseStatus.DEPLOYING)),
            Refusal.ILLEGAL_TRANSITION);

    assertThat(r.events()).isEmpty();
    assertThat(r.detail())
        .isEqualTo(
            "release v1.2.3 is deploying; only a release that has not started toward production"
                + " is superseded (by v1.5.0)");
  }

  @Test
  void givenAnApprovedReleaseWhoseDispatchWasClaimed_whenSuperseded_thenRefused() {
    ReleaseState claimed =
        evolve(
            inStatus(ReleaseStatus.MANUAL_TEST_PASSED),
            new DispatchStarted("d-1", "acme/app", "deploy.yml", "main"));

    Refused r = refused(decide(supersede(ORCHESTRATOR), claimed), Refusal.ILLEGAL_TRANSITION);

    assertThat(r.events()).isEmpty();
    assertThat(r.detail()).contains("its production dispatch was claimed");
  }

  @Test
  void givenASupersededRelease_whenTheCommandIsRepeated_thenTheSameAnswerAndNoNewEvent() {
    ReleaseState state = inStatus(ReleaseStatus.STAGE_BUILDING);
    ReleaseState superseded = evolveAll(state, accepted(decide(supersede(ORCHESTRATOR), state)));

    Decision again = decide(supersede(ORCHESTRATOR), superseded);

    assertThat(again).isInstanceOf(Decision.Accepted.class);
    assertThat(accepted(again)).isEmpty();
  }

  @Test
  void givenARefusedSupersede_whenRepeated_thenRefusedAgainWithNoEvent() {
    ReleaseState deployed = inStatus(ReleaseStatus.DEPLOYED);
    Refused first = refused(decide(supersede(ORCHESTRATOR), deployed), Refusal.ILLEGAL_TRANSITION);

    Refused second = refused(decide(supersede(ORCHESTRATOR), deployed), Refusal.ILLEGAL_TRANSITION);

    assertThat(second).isEqualTo(first);
    assertThat(second.events()).isEmpty();
  }

  @Test
  void givenASupersededRelease_whenApprovedOrSteppedOrDispatched_thenRefused() {
    ReleaseState state = inStatus(ReleaseStatus.MANUAL_TESTING);
    ReleaseState superseded = evolveAll(state, accepted(decide(supersede(ORCHESTRATOR), state)));

    Refused approval = refused(decide(approve(BOB, null), superseded), Refusal.ILLEGAL_TRANSITION);
    assertThat(approval.detail())
        .isEqualTo("release is cancelled; only a release in manual_testing can be approved");
    refused(
        decide(report(ReleaseStatus.MANUAL_TEST_PASSED), superseded), Refusal.ILLEGAL_TRANSITION);
    refused(
        decide(
            new StartDispatch(ID, "d-1", "acme/app", "deploy.yml", "main", ORCHESTRATOR),
            superseded),
        Refusal.ILLEGAL_TRANSITION);
  }

  @Test
  void givenSomebodyOtherThanTheOrchestrator_whenTheySupersede_thenNotAllowedAndAudited() {
    Refused r =
        refused(
            decide(supersede(telegram(ADMIN)), inStatus(ReleaseStatus.MANUAL_TESTING)),
            Refusal.NOT_ALLOWED);

    assertThat(r.detail()).isEqualTo("only the orchestrator supersedes releases");
    assertThat(r.events()).hasSize(1);
  }

  @Test
  void givenNoRelease_whenSuperseded_thenNotFound() {
    assertThat(refused(decide(supersede(ORCHESTRATOR), none()), Refusal.NOT_FOUND).events())
        .isEmpty();
  }

  @Test
  void givenTheReleaseItself_whenItWouldSupersedeItself_thenInvalid() {
    refused(
        decide(
            new SupersedeRelease(ID, ID, "v1.2.3", ORCHESTRATOR),
            inStatus(ReleaseStatus.MANUAL_TESTING)),
        Refusal.INVALID);
  }
}
