package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.APPROVERS;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.PIPELINE;
import static dev.rmm.contracts.Releases.SPEC;
import static dev.rmm.contracts.Releases.TWO_OF_THREE;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.given;
import static dev.rmm.contracts.Releases.none;
import static dev.rmm.contracts.Releases.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.CreateRelease;
import dev.rmm.contracts.ReleaseEvent.ReleaseCreated;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pipeline creates a release; a retried request names and finds the same release. */
class ReleaseDeciderCreateTest {

  private static final CreateRelease CREATE = new CreateRelease(SPEC, TWO_OF_THREE, PIPELINE);

  @Test
  void givenNoRelease_whenCreated_thenItIsInitiatedWithThePolicyInForce() {
    var events = accepted(decide(CREATE, none()));

    assertThat(events).containsExactly(new ReleaseCreated(SPEC, TWO_OF_THREE));
    ReleaseState state = ReleaseDecider.evolveAll(none(), events);
    assertThat(state.status()).isEqualTo(ReleaseStatus.INITIATED);
    assertThat(state.spec()).isEqualTo(SPEC);
    assertThat(state.policy()).isEqualTo(TWO_OF_THREE);
    assertThat(state.version()).isEqualTo(1);
    assertThat(state.statusVersion()).isEqualTo(1);
    assertThat(state.approvals()).isEmpty();
  }

  @Test
  void givenACreatedRelease_whenTheSameCreateArrivesAgain_thenAcceptedWithNoEvents() {
    ReleaseState state = given(new ReleaseCreated(SPEC, TWO_OF_THREE));

    assertThat(accepted(decide(CREATE, state))).isEmpty();
  }

  @Test
  void givenACreatedRelease_whenRetriedAfterThePolicyChanged_thenTheRecordedPolicyStays() {
    ReleaseState state = given(new ReleaseCreated(SPEC, TWO_OF_THREE));
    ApprovalPolicy allOf = ApprovalPolicy.allOf(APPROVERS, List.of(ADMIN));

    assertThat(accepted(decide(new CreateRelease(SPEC, allOf, PIPELINE), state))).isEmpty();
  }

  @Test
  void givenACreatedRelease_whenCreatedWithDifferentDetails_thenConflictAndNoEvents() {
    ReleaseState state = given(new ReleaseCreated(SPEC, TWO_OF_THREE));
    // (another commit alone is a moved tag: ReleaseDeciderArtifactTest)
    ReleaseSpec otherCommit =
        new ReleaseSpec(
            SPEC.service(),
            SPEC.tag(),
            SPEC.initiator(),
            SPEC.githubRunId(),
            SPEC.githubRunLink(),
            "refs/heads/main",
            SPEC.repository(),
            "ffffffffffffffffffffffffffffffffffffffff");

    Refused refused =
        refused(
            decide(new CreateRelease(otherCommit, TWO_OF_THREE, PIPELINE), state),
            Refusal.CONFLICT);

    assertThat(refused.detail())
        .isEqualTo(
            "release "
                + ID
                + " (service name-authorization, tag v1.2.3, run 9001) already exists with"
                + " different details");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenServiceTagAndRun_thenTheReleaseIdIsStableAndDistinguishesRuns() {
    assertThat(SPEC.releaseId())
        .isEqualTo(ReleaseSpec.releaseId("name-authorization", "v1.2.3", "9001"))
        .isNotEqualTo(ReleaseSpec.releaseId("name-authorization", "v1.2.3", "9002"))
        .isNotEqualTo(ReleaseSpec.releaseId("name-authorization", "v1.2.4", "9001"))
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(CREATE.releaseId()).isEqualTo(ID);
  }
}
