package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYED;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.ALICE;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.CAROL;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.SPEC;
import static dev.rmm.contracts.Releases.TARGETS;
import static dev.rmm.contracts.Releases.TWO_OF_THREE;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.approve;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.reject;
import static dev.rmm.contracts.Releases.rollback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.CancelRelease;
import dev.rmm.contracts.ReleaseEvent.ActionRefused;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.ReleaseEvent.ReleaseCancelled;
import dev.rmm.contracts.ReleaseEvent.ReleaseRejected;
import dev.rmm.contracts.ReleaseEvent.RollbackRequested;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Policy as data in the log (issue 13, point 9): a user's action is decided by the policy in force
 * when it is decided (the newest policy event), not by the policy the release was created under,
 * and the decision names that policy's version.
 */
class ReleaseDeciderPolicyTest {

  private static final String SERVICE = SPEC.service();
  private static final long DAVE = 104;
  private static final long NEW_ADMIN = 901;

  /** Version 1: the release's own policy (2 of Alice, Bob, Carol; admin 900). */
  private static final ApprovalPolicy V1 = TWO_OF_THREE;

  /** Version 2: Bob left (Dave joined), admin 900 was replaced by 901. */
  private static final ApprovalPolicy V2 =
      new ApprovalPolicy(
          List.of(
              new Approver(ALICE, "Alice", "Alice-GH"),
              new Approver(CAROL, "Carol", null),
              new Approver(DAVE, "Dave", null)),
          2,
          false,
          List.of(NEW_ADMIN));

  private static PolicyHistory given(ApprovalPolicy... versions) {
    PolicyHistory h = PolicyHistory.NONE;
    for (ApprovalPolicy p : versions) {
      h = h.then(policyEvent(h.version() + 1, p));
    }
    return h;
  }

  private static EventEnvelope policyEvent(long seq, ApprovalPolicy p) {
    return new EventEnvelope(
        "policy-" + seq,
        PolicyChanged.SUBJECT,
        seq,
        Instant.parse("2026-03-16T07:30:00Z"),
        Actor.system("release-api"),
        null,
        null,
        null,
        new PolicyChanged(
            Map.of(SERVICE, new PolicyChanged.Service(p, "acme/name-authorization", List.of())),
            null,
            List.of(SERVICE),
            "policy.json",
            null,
            null,
            null));
  }

  @Test
  void givenAnAdminRemovedByAPolicyChange_whenTheyRequestARollback_thenRefusedNamingThePolicy() {
    PolicyInForce now = given(V1, V2).inForce(SERVICE);

    Refused refused =
        refused(
            decide(rollback(ADMIN, "v1.2.2", null), inStatus(DEPLOYED), TARGETS, now),
            Refusal.NOT_ALLOWED);

    assertThat(refused.detail())
        .isEqualTo("user 900 is not an admin of name-authorization (policy version 2)");
    assertThat(refused.events())
        .containsExactly(new ActionRefused("rollback", "not_allowed", refused.detail(), 2L));
  }

  @Test
  void givenTheSameAdminBeforeTheChange_whenTheyRequestARollback_thenAcceptedNamingVersion1() {
    PolicyInForce then = given(V1).inForce(SERVICE);

    assertThat(accepted(decide(rollback(ADMIN, "v1.2.2", null), inStatus(DEPLOYED), TARGETS, then)))
        .containsExactly(new RollbackRequested(ADMIN, "user 900", "v1.2.2", 1L));
  }

  @Test
  void givenAnAdminAddedByAPolicyChange_whenTheyRequestARollback_thenAcceptedNamingTheVersion() {
    assertThat(
            accepted(
                decide(
                    rollback(NEW_ADMIN, "v1.2.2", null),
                    inStatus(DEPLOYED),
                    TARGETS,
                    given(V1, V2).inForce(SERVICE))))
        .containsExactly(new RollbackRequested(NEW_ADMIN, "user 901", "v1.2.2", 2L));
  }

  @Test
  void givenARemovedApprover_whenTheyApprove_thenRefusedAndAudited() {
    Refused refused =
        refused(
            decide(
                approve(BOB, null), inStatus(MANUAL_TESTING), null, given(V1, V2).inForce(SERVICE)),
            Refusal.NOT_ALLOWED);

    assertThat(refused.detail()).contains("not an approver", "(policy version 2)");
    assertThat(refused.events()).hasSize(1);
  }

  @Test
  void givenAnApprovalBySomeoneLaterRemoved_whenTheOthersApprove_thenOnlyCurrentApproversCount() {
    ReleaseState oneApproval =
        ReleaseDecider.evolveAll(
            inStatus(MANUAL_TESTING), List.of(Releases.granted(BOB, "Bob", 1, 2, 1L)));
    PolicyInForce now = given(V1, V2).inForce(SERVICE);

    List<ReleaseEvent> carol = accepted(decide(approve(CAROL, null), oneApproval, null, now));
    assertThat(carol).containsExactly(Releases.granted(CAROL, "Carol", 1, 2, 2L));

    ReleaseState afterCarol = ReleaseDecider.evolveAll(oneApproval, carol);
    assertThat(accepted(decide(approve(DAVE, null), afterCarol, null, now)))
        .containsExactly(
            Releases.granted(DAVE, "Dave", 2, 2, 2L),
            new ApprovalQuorumReached(List.of(CAROL, DAVE), 2L));
  }

  @Test
  void
      givenTheQuorumLoweredToTheApprovalsGiven_whenAnApproverPressesAgain_thenTheQuorumIsReached() {
    ReleaseState oneApproval =
        ReleaseDecider.evolveAll(
            inStatus(MANUAL_TESTING), List.of(Releases.granted(BOB, "Bob", 1, 2, 1L)));
    ApprovalPolicy oneOfThree =
        new ApprovalPolicy(TWO_OF_THREE.approvers(), 1, false, TWO_OF_THREE.admins());

    assertThat(
            accepted(
                decide(
                    approve(BOB, null), oneApproval, null, given(V1, oneOfThree).inForce(SERVICE))))
        .containsExactly(new ApprovalQuorumReached(List.of(BOB), 2L));
  }

  @Test
  void givenARemovedApprover_whenTheyReject_thenRefused_andACurrentOneRejectsNamingTheVersion() {
    PolicyInForce now = given(V1, V2).inForce(SERVICE);
    ReleaseState testing = inStatus(MANUAL_TESTING);

    refused(decide(reject(BOB, "broken", null), testing, null, now), Refusal.NOT_ALLOWED);
    assertThat(accepted(decide(reject(DAVE, "broken", null), testing, null, now)))
        .containsExactly(new ReleaseRejected(DAVE, "Dave", "broken", 2L));
  }

  @Test
  void givenARemovedAdmin_whenTheyCancelInTelegram_thenRefused_andTheNewAdminCancels() {
    PolicyInForce now = given(V1, V2).inForce(SERVICE);
    ReleaseState testing = inStatus(MANUAL_TESTING);

    refused(
        decide(new CancelRelease(ID, "no", Actor.telegram(ADMIN, "Olga")), testing, null, now),
        Refusal.NOT_ALLOWED);
    assertThat(
            accepted(
                decide(
                    new CancelRelease(ID, "no", Actor.telegram(NEW_ADMIN, "Nia")),
                    testing,
                    null,
                    now)))
        .containsExactly(new ReleaseCancelled(MANUAL_TESTING, "no", 2L));
  }

  @Test
  void givenAPolicyWithoutTheServiceAndNoDefault_whenAnyoneApproves_thenRefused() {
    PolicyHistory h =
        PolicyHistory.NONE.then(
            new EventEnvelope(
                "policy-1",
                PolicyChanged.SUBJECT,
                1,
                Instant.parse("2026-03-16T07:30:00Z"),
                Actor.system("release-api"),
                null,
                null,
                null,
                new PolicyChanged(
                    Map.of(), null, List.of(SERVICE), "policy.json", null, null, null)));

    Refused refused =
        refused(
            decide(approve(BOB, null), inStatus(MANUAL_TESTING), null, h.inForce(SERVICE)),
            Refusal.NOT_ALLOWED);
    assertThat(refused.detail()).contains("no approval policy is in force", "(policy version 1)");
  }

  @Test
  void givenNoPolicyEventYet_thenTheReleasesOwnPolicyDecidesAndNoVersionIsNamed() {
    assertThat(PolicyHistory.NONE.inForce(SERVICE)).isNull();
    assertThat(accepted(decide(approve(BOB, null), inStatus(MANUAL_TESTING), null, null)))
        .containsExactly(Releases.granted(BOB, "Bob", 1, 2));
  }
}
