package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseStatus.CANCELLED;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYED;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYING;
import static dev.rmm.contracts.ReleaseStatus.INITIATED;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_FAILED;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.ReleaseStatus.PRODUCTION_FAILED;
import static dev.rmm.contracts.ReleaseStatus.PRODUCTION_ROLLBACK;
import static dev.rmm.contracts.ReleaseStatus.ROLLBACK_DONE;
import static dev.rmm.contracts.ReleaseStatus.ROLLBACK_FAILED;
import static dev.rmm.contracts.ReleaseStatus.STAGE_BUILDING;
import static dev.rmm.contracts.ReleaseStatus.STAGE_BUILDING_FAILED;
import static dev.rmm.contracts.ReleaseStatus.STAGE_TEST_ROLLBACK;
import static dev.rmm.contracts.ReleaseStatus.STAGE_TEST_ROLLBACK_FAILED;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.Decision.Accepted;
import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.Approve;
import dev.rmm.contracts.ReleaseCommand.CancelRelease;
import dev.rmm.contracts.ReleaseCommand.Reject;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseCommand.RequestRollback;
import dev.rmm.contracts.ReleaseEvent.ActionRefused;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.ReleaseCancelled;
import dev.rmm.contracts.ReleaseEvent.ReleaseCreated;
import dev.rmm.contracts.ReleaseEvent.ReleaseRejected;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test fixtures: one release of {@code name-authorization} with a 2-of-3 approval policy, states of
 * that release in any status, commands and assertions in the decider's vocabulary.
 */
final class Releases {

  /** Approver who also pushed the tag (GitHub login {@code alice-gh}, spelled differently). */
  static final long ALICE = 101;

  static final long BOB = 102;

  /** Approver without a GitHub login. */
  static final long CAROL = 103;

  /** Admin who is not an approver. */
  static final long ADMIN = 900;

  /** Neither approver nor admin. */
  static final long STRANGER = 555;

  static final List<Approver> APPROVERS =
      List.of(
          new Approver(ALICE, "Alice", "Alice-GH"),
          new Approver(BOB, "Bob", "bob-gh"),
          new Approver(CAROL, "Carol", null));

  static final ApprovalPolicy TWO_OF_THREE =
      new ApprovalPolicy(APPROVERS, 2, false, List.of(ADMIN));

  static final ReleaseSpec SPEC =
      new ReleaseSpec(
          "name-authorization",
          "v1.2.3",
          "alice-gh",
          "9001",
          "https://github.com/acme/name-authorization/actions/runs/9001",
          "refs/tags/v1.2.3",
          "acme/name-authorization",
          "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e");

  static final String ID = SPEC.releaseId();

  /**
   * What the history of the service lets {@link #SPEC} be rolled back to: two earlier deployed
   * tags; v1.2.0 was rolled back and is not among them. Production runs v1.2.3.
   */
  static final RollbackTargets TARGETS = new RollbackTargets(List.of("v1.2.2", "v1.2.1"), "v1.2.3");

  static final Actor PIPELINE = Actor.github("acme/name-authorization", "alice-gh");

  /** How the fixture reaches each status: the status it comes from. */
  private static final Map<ReleaseStatus, ReleaseStatus> REACHED_FROM =
      Map.ofEntries(
          entry(STAGE_BUILDING, INITIATED),
          entry(STAGE_BUILDING_FAILED, STAGE_BUILDING),
          entry(STAGE_TEST_ROLLBACK, STAGE_BUILDING),
          entry(STAGE_TEST_ROLLBACK_FAILED, STAGE_TEST_ROLLBACK),
          entry(MANUAL_TESTING, STAGE_TEST_ROLLBACK),
          entry(MANUAL_TEST_PASSED, MANUAL_TESTING),
          entry(MANUAL_TEST_FAILED, MANUAL_TESTING),
          entry(DEPLOYING, MANUAL_TEST_PASSED),
          entry(DEPLOYED, DEPLOYING),
          entry(PRODUCTION_FAILED, DEPLOYING),
          entry(PRODUCTION_ROLLBACK, DEPLOYING),
          entry(ROLLBACK_DONE, PRODUCTION_ROLLBACK),
          entry(ROLLBACK_FAILED, PRODUCTION_ROLLBACK),
          entry(CANCELLED, STAGE_BUILDING));

  private Releases() {}

  static ReleaseState none() {
    return ReleaseState.none(ID);
  }

  static ReleaseState given(List<? extends ReleaseEvent> events) {
    return ReleaseDecider.evolveAll(none(), events);
  }

  static ReleaseState given(ReleaseEvent... events) {
    return given(List.of(events));
  }

  /** The release under {@link #TWO_OF_THREE}, moved to {@code status} the way the log would. */
  static ReleaseState inStatus(ReleaseStatus status) {
    return inStatus(status, TWO_OF_THREE);
  }

  static ReleaseState inStatus(ReleaseStatus status, ApprovalPolicy policy) {
    return given(eventsTo(status, policy));
  }

  /** The events of a release created under {@code policy} that has just reached {@code target}. */
  static List<ReleaseEvent> eventsTo(ReleaseStatus target, ApprovalPolicy policy) {
    List<ReleaseEvent> events = new ArrayList<>();
    if (target == INITIATED) {
      events.add(new ReleaseCreated(SPEC, policy));
      return events;
    }
    ReleaseStatus from = REACHED_FROM.get(target);
    events.addAll(eventsTo(from, policy));
    if (target == MANUAL_TEST_PASSED) {
      List<Long> ids = new ArrayList<>();
      for (Approver a : policy.approvers().subList(0, policy.quorum())) {
        ids.add(a.telegramId());
        events.add(new ApprovalGranted(a.telegramId(), a.name(), ids.size(), policy.quorum()));
      }
      events.add(new ApprovalQuorumReached(ids));
    } else if (target == MANUAL_TEST_FAILED) {
      events.add(new ReleaseRejected(BOB, "Bob", "login page is broken"));
    } else if (target == CANCELLED) {
      events.add(new ReleaseCancelled(from, "superseded by v1.2.4"));
    } else {
      events.add(new StatusChanged(from, target, null));
    }
    return events;
  }

  /** The approval the decider grants on {@link #SPEC}: bound to its tag and commit. */
  static ApprovalGranted granted(long id, String name, int approvals, int quorum) {
    return granted(id, name, approvals, quorum, null);
  }

  static ApprovalGranted granted(
      long id, String name, int approvals, int quorum, Long policyVersion) {
    return new ApprovalGranted(
        id, name, approvals, quorum, policyVersion, SPEC.tag(), SPEC.commitSha());
  }

  static Actor telegram(long userId) {
    return Actor.telegram(userId, "user " + userId);
  }

  static ReportStep report(ReleaseStatus status) {
    return new ReportStep(ID, status, "step " + status, PIPELINE);
  }

  static Approve approve(long userId, Long seenVersion) {
    return new Approve(ID, userId, seenVersion, telegram(userId));
  }

  static Reject reject(long userId, String reason, Long seenVersion) {
    return new Reject(ID, userId, reason, seenVersion, telegram(userId));
  }

  static RequestRollback rollback(long userId, String targetTag, Long seenVersion) {
    return new RequestRollback(ID, userId, targetTag, seenVersion, telegram(userId));
  }

  static CancelRelease cancel(Actor actor) {
    return new CancelRelease(ID, "superseded by v1.2.4", actor);
  }

  /** Asserts the decision is accepted and returns its events. */
  static List<ReleaseEvent> accepted(Decision decision) {
    assertThat(decision).isInstanceOf(Accepted.class);
    return decision.events();
  }

  /** Asserts the decision is refused for {@code reason} and returns it. */
  static Refused refused(Decision decision, Refusal reason) {
    assertThat(decision).isInstanceOf(Refused.class);
    Refused refused = (Refused) decision;
    assertThat(refused.reason()).as("refusal of %s", refused.detail()).isEqualTo(reason);
    return refused;
  }

  /** Asserts a refused user action left exactly one audit record saying what was refused. */
  static void assertAudited(Refused refused, String action) {
    assertThat(refused.events())
        .containsExactly(
            new ActionRefused(
                action,
                refused.reason().name().toLowerCase(java.util.Locale.ROOT),
                refused.detail()));
  }
}
