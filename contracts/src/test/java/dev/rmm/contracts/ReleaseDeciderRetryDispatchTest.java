package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.STRANGER;
import static dev.rmm.contracts.Releases.TWO_OF_THREE;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.assertAudited;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.none;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.telegram;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.ReleaseCommand.RecordDispatch;
import dev.rmm.contracts.ReleaseCommand.RetryDispatch;
import dev.rmm.contracts.ReleaseCommand.StartDispatch;
import dev.rmm.contracts.ReleaseEvent.ActionRefused;
import dev.rmm.contracts.ReleaseEvent.DispatchRetryRequested;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import dev.rmm.contracts.ReleaseEvent.WorkflowDispatched;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An admin retries a failed production dispatch from the bot: only admins of the policy in force,
 * only after the dispatch failed, and a repeat changes nothing.
 */
class ReleaseDeciderRetryDispatchTest {

  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1", "deploy-orchestrator");

  private final ReleaseState passed = inStatus(MANUAL_TEST_PASSED);
  private final ReleaseState started =
      evolveAll(
          passed,
          accepted(
              decide(
                  new StartDispatch(ID, "d-1", "acme/app", "deploy.yml", "main", ORCHESTRATOR),
                  passed)));
  private final ReleaseState failed =
      evolveAll(started, accepted(decide(record(false, 401), started)));

  private static RecordDispatch record(boolean ok, int status) {
    return new RecordDispatch(
        ID, "d-1", ok, status, ok ? null : "Bad credentials", 1, ORCHESTRATOR);
  }

  private static RetryDispatch retry(long userId, Long seenVersion) {
    return new RetryDispatch(ID, userId, seenVersion, telegram(userId));
  }

  @Test
  void givenAFailedDispatch_whenAnAdminRetries_thenTheSameDispatchIsOpenAgain() {
    var events = accepted(decide(retry(ADMIN, failed.version()), failed));

    assertThat(events).containsExactly(new DispatchRetryRequested(ADMIN, "user 900", "d-1", null));
    ReleaseState after = evolveAll(failed, events);
    assertThat(after.status()).isEqualTo(MANUAL_TEST_PASSED);
    assertThat(after.statusVersion()).isEqualTo(failed.statusVersion());
    assertThat(after.dispatch().id()).isEqualTo("d-1");
    assertThat(after.dispatch().outcome()).isNull();
    assertThat(after.dispatch().retries()).isEqualTo(1);
    // the orchestrator records the retried dispatch's outcome under the same id
    assertThat(accepted(decide(record(true, 204), after)))
        .containsExactly(new WorkflowDispatched("d-1", 204, 1));
  }

  @Test
  void givenARetryUnderWay_whenThePressArrivesAgain_thenNothingNew() {
    ReleaseState retrying = evolveAll(failed, accepted(decide(retry(ADMIN, null), failed)));

    assertThat(accepted(decide(retry(ADMIN, failed.version()), retrying))).isEmpty();
    ReleaseState dispatched = evolveAll(retrying, accepted(decide(record(true, 204), retrying)));
    assertThat(accepted(decide(retry(ADMIN, failed.version()), dispatched))).isEmpty();
  }

  @Test
  void givenARetryThatFailedAgain_whenAnAdminRetries_thenItIsOpenAgain() {
    ReleaseState retrying = evolveAll(failed, accepted(decide(retry(ADMIN, null), failed)));
    ReleaseState failedTwice = evolveAll(retrying, accepted(decide(record(false, 401), retrying)));

    var events = accepted(decide(retry(ADMIN, null), failedTwice));

    assertThat(events).hasSize(1);
    assertThat(evolveAll(failedTwice, events).dispatch().retries()).isEqualTo(2);
  }

  @Test
  void givenAFailedDispatch_whenAnApproverWhoIsNoAdminRetries_thenNotAllowedAndAudited() {
    var refused = refused(decide(retry(BOB, null), failed), Refusal.NOT_ALLOWED);

    assertAudited(refused, "retry-dispatch");
    assertThat(refused.detail())
        .isEqualTo(
            "user "
                + BOB
                + " is not an admin of name-authorization; only admins may retry a production"
                + " dispatch");
    assertThat(evolveAll(failed, List.copyOf(refused.events())).dispatch().failed()).isTrue();
    refused(decide(retry(STRANGER, null), failed), Refusal.NOT_ALLOWED);
  }

  @Test
  void givenAPolicyInForceWithoutTheAdmin_whenTheyRetry_thenNotAllowedNamingTheVersion() {
    ApprovalPolicy withoutAdmin = new ApprovalPolicy(TWO_OF_THREE.approvers(), 2, false, List.of());

    var refused =
        refused(
            decide(retry(ADMIN, null), failed, null, new PolicyInForce(7, withoutAdmin)),
            Refusal.NOT_ALLOWED);

    assertThat(refused.detail()).contains("(policy version 7)");
    assertThat(refused.events())
        .singleElement()
        .isInstanceOfSatisfying(
            ActionRefused.class, e -> assertThat(e.policyVersion()).isEqualTo(7L));
  }

  @Test
  void givenNoFailedDispatch_whenAnAdminRetries_thenIllegal() {
    assertThat(refused(decide(retry(ADMIN, null), passed), Refusal.ILLEGAL_TRANSITION).detail())
        .isEqualTo(
            "release is manual_test_passed and has no production dispatch; only a failed dispatch"
                + " of an approved release can be retried");
    assertThat(refused(decide(retry(ADMIN, null), started), Refusal.ILLEGAL_TRANSITION).detail())
        .isEqualTo(
            "release is manual_test_passed and its production dispatch did not fail; only a"
                + " failed dispatch of an approved release can be retried");
    assertThat(refused(decide(retry(ADMIN, null), none()), Refusal.NOT_FOUND).events()).isEmpty();
  }

  @Test
  void givenACardOlderThanTheStatus_whenAnAdminRetries_thenStale() {
    ReleaseState deploying =
        evolveAll(failed, List.of(new StatusChanged(MANUAL_TEST_PASSED, DEPLOYING, null)));

    refused(decide(retry(ADMIN, failed.version()), deploying), Refusal.STALE);
    refused(decide(retry(ADMIN, null), deploying), Refusal.ILLEGAL_TRANSITION);
  }
}
