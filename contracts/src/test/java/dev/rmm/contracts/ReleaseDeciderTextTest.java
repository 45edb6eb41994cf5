package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.PIPELINE;
import static dev.rmm.contracts.Releases.SPEC;
import static dev.rmm.contracts.Releases.TWO_OF_THREE;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.none;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.reject;
import static dev.rmm.contracts.Releases.rollback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.ReleaseCommand.CancelRelease;
import dev.rmm.contracts.ReleaseCommand.CreateRelease;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseEvent.ReleaseRejected;
import org.junit.jupiter.api.Test;

/**
 * Commands that reach the decider over Kafka carry text nobody has checked yet: the decider refuses
 * what {@link TextRules} forbids, as a refusal without events, never an exception.
 */
class ReleaseDeciderTextTest {

  @Test
  void givenNoRelease_whenCreatedWithANulInTheTag_thenRefusedAsInvalidWithoutEvents() {
    ReleaseSpec nul =
        new ReleaseSpec(
            SPEC.service(),
            "v1\u0000.0",
            SPEC.initiator(),
            SPEC.githubRunId(),
            SPEC.githubRunLink(),
            SPEC.ref(),
            SPEC.repository(),
            SPEC.commitSha());
    var refused =
        refused(decide(new CreateRelease(nul, TWO_OF_THREE, PIPELINE), none()), Refusal.INVALID);

    assertThat(refused.detail()).isEqualTo("'tag' contains the control character U+0000");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenManualTesting_whenARejectionReasonHoldsABidiOverride_thenRefusedWithoutAudit() {
    var refused =
        refused(
            decide(reject(BOB, "fine \u202Edekorb", null), inStatus(ReleaseStatus.MANUAL_TESTING)),
            Refusal.INVALID);

    assertThat(refused.detail())
        .isEqualTo("'reason' contains the bidirectional control character U+202E");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenManualTesting_whenAReasonHasSeveralLines_thenItIsAccepted() {
    assertThat(
            accepted(
                decide(
                    reject(BOB, "login broken\n\tsee QA-1", null),
                    inStatus(ReleaseStatus.MANUAL_TESTING))))
        .containsExactly(new ReleaseRejected(BOB, "Bob", "login broken\n\tsee QA-1"));
  }

  @Test
  void givenEachTextOfAPerson_whenItHoldsAControlCharacter_thenTheFieldIsNamed() {
    assertThat(
            refused(
                    decide(
                        new ReportStep(ID, ReleaseStatus.STAGE_BUILDING, "ok\u0007", PIPELINE),
                        inStatus(ReleaseStatus.INITIATED)),
                    Refusal.INVALID)
                .detail())
        .isEqualTo("'detail' contains the control character U+0007");
    assertThat(
            refused(
                    decide(rollback(ADMIN, "v1.2.2\u0085", null), inStatus(ReleaseStatus.DEPLOYED)),
                    Refusal.INVALID)
                .detail())
        .isEqualTo("'target_tag' contains the control character U+0085");
    assertThat(
            refused(
                    decide(
                        new CancelRelease(ID, "x\uDBFF", Actor.system("test")),
                        inStatus(ReleaseStatus.STAGE_BUILDING)),
                    Refusal.INVALID)
                .detail())
        .isEqualTo("'reason' contains the unpaired surrogate U+DBFF");
  }

  @Test
  void givenALongReasonWhoseCutFallsInsideAnEmoji_whenRejected_thenNoHalfOfItIsKept() {
    String reason = "x".repeat(ReleaseDecider.MAX_TEXT - 1) + "🚀 and more";

    ReleaseRejected e =
        (ReleaseRejected)
            accepted(decide(reject(BOB, reason, null), inStatus(ReleaseStatus.MANUAL_TESTING)))
                .get(0);

    assertThat(e.reason()).isEqualTo("x".repeat(ReleaseDecider.MAX_TEXT - 1));
    assertThat(TextRules.allows(e.reason(), TextRules.Kind.FREE_TEXT)).isTrue();
  }
}
