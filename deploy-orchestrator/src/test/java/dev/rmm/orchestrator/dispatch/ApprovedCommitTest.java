package dev.rmm.orchestrator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The production workflow checks out the commit the approvals are bound to (issue 15, point 2):
 * after the tag moved before the quorum, the new commit that was approved, never the one the
 * release was created with.
 */
class ApprovedCommitTest {

  private static final ReleaseSpec SPEC =
      new ReleaseSpec(
          "billing",
          "v1.4.0",
          "dave",
          "9001",
          "https://github.com/acme/billing/actions/runs/9001",
          "refs/tags/v1.4.0",
          "acme/billing",
          "3f2c1a9");
  private static final ApprovalPolicy POLICY =
      new ApprovalPolicy(
          List.of(new ApprovalPolicy.Approver(1001, "Alice", null)), 1, false, List.of(1002L));

  @Test
  void givenATagThatNeverMoved_whenDispatched_thenTheCreatedCommitIsCheckedOut() {
    ReleaseState s = ReleaseDecider.evolveAll(ReleaseState.none(SPEC.releaseId()), created());

    assertThat(Dispatches.approved(s).commitSha()).isEqualTo("3f2c1a9");
  }

  @Test
  void givenATagMovedBeforeTheQuorum_whenDispatched_thenTheApprovedNewCommitIsCheckedOut() {
    List<ReleaseEvent> events = new java.util.ArrayList<>(created());
    events.add(
        new ReleaseEvent.ApprovalsVoided("v1.4.0", "3f2c1a9", "9e8d7c6", List.of(), "tag moved"));
    events.add(new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 1, null, "v1.4.0", "9e8d7c6"));
    events.add(new ReleaseEvent.ApprovalQuorumReached(List.of(1001L)));

    ReleaseState s = ReleaseDecider.evolveAll(ReleaseState.none(SPEC.releaseId()), events);

    assertThat(s.status()).isEqualTo(ReleaseStatus.MANUAL_TEST_PASSED);
    assertThat(Dispatches.approved(s)).isEqualTo(SPEC.withCommitSha("9e8d7c6"));
  }

  private static List<ReleaseEvent> created() {
    return List.of(
        new ReleaseEvent.ReleaseCreated(SPEC, POLICY),
        new ReleaseEvent.StatusChanged(
            ReleaseStatus.INITIATED, ReleaseStatus.MANUAL_TESTING, null));
  }
}
