package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.STRANGER;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.approve;
import static dev.rmm.contracts.Releases.assertAudited;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.none;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.reject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.Reject;
import dev.rmm.contracts.ReleaseEvent.ReleaseRejected;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** An approver or admin rejects a release in manual testing, with a reason. */
class ReleaseDeciderRejectTest {

  private final ReleaseState manualTesting = inStatus(MANUAL_TESTING);
  private final long card = manualTesting.version();

  @Test
  void givenNoRelease_whenRejected_thenNotFound() {
    assertThat(refused(decide(reject(BOB, "broken", null), none()), Refusal.NOT_FOUND).events())
        .isEmpty();
  }

  @Test
  void givenManualTesting_whenAnApproverRejects_thenTheTestFailedWithTheTrimmedReason() {
    var events = accepted(decide(reject(BOB, "  login page is broken \n", card), manualTesting));

    assertThat(events).containsExactly(new ReleaseRejected(BOB, "Bob", "login page is broken"));
    ReleaseState after = evolveAll(manualTesting, events);
    assertThat(after.status()).isEqualTo(ReleaseStatus.MANUAL_TEST_FAILED);
    assertThat(after.rejectionReason()).isEqualTo("login page is broken");
    assertThat(after.statusVersion()).isEqualTo(after.version());
  }

  @Test
  void givenAnAdminWhoIsNotAnApprover_whenTheyReject_thenItCountsUnderTheirTelegramName() {
    Reject byAdmin = new Reject(ID, ADMIN, "security hold", card, Actor.telegram(ADMIN, "Olga"));

    assertThat(accepted(decide(byAdmin, manualTesting)))
        .containsExactly(new ReleaseRejected(ADMIN, "Olga", "security hold"));
  }

  @Test
  void givenPartialApprovals_whenRejected_thenTheReleaseFailsAndLaterApprovalsAreRefused() {
    ReleaseState oneApproval =
        evolveAll(manualTesting, decide(approve(BOB, card), manualTesting).events());
    ReleaseState rejected =
        evolveAll(oneApproval, accepted(decide(reject(ADMIN, "wrong tag", card), oneApproval)));

    assertThat(rejected.status()).isEqualTo(ReleaseStatus.MANUAL_TEST_FAILED);
    assertThat(decide(approve(Releases.CAROL, null), rejected).events())
        .noneMatch(ReleaseEvent.ApprovalGranted.class::isInstance);
  }

  @Test
  void givenSomeoneWhoIsNeitherApproverNorAdmin_whenTheyReject_thenNotAllowedAndAudited() {
    Refused refused =
        refused(decide(reject(STRANGER, "meh", card), manualTesting), Refusal.NOT_ALLOWED);

    assertThat(refused.detail())
        .isEqualTo("user 555 is neither an approver nor an admin of name-authorization");
    assertAudited(refused, "reject");
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "   ", "\n\t"})
  void givenNoReason_whenRejected_thenInvalidAndNoEvents(String reason) {
    Refused refused = refused(decide(reject(BOB, reason, card), manualTesting), Refusal.INVALID);

    assertThat(refused.detail()).isEqualTo("a rejection needs a reason");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenACardOlderThanManualTesting_whenRejected_thenStaleAndAudited() {
    Refused refused =
        refused(decide(reject(BOB, "broken", card - 1), manualTesting), Refusal.STALE);

    assertThat(refused.detail()).contains("showed version " + (card - 1));
    assertAudited(refused, "reject");
  }

  @Test
  void givenAVersionTheReleaseNeverHad_whenRejected_thenInvalidAndNoEvents() {
    Refused refused =
        refused(decide(reject(BOB, "broken", card + 5), manualTesting), Refusal.INVALID);

    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenAReleaseNotInManualTesting_whenRejected_thenIllegalTransitionAndAudited() {
    Refused refused =
        refused(
            decide(reject(BOB, "broken", null), inStatus(ReleaseStatus.DEPLOYING)),
            Refusal.ILLEGAL_TRANSITION);

    assertThat(refused.detail())
        .isEqualTo("release is deploying; only a release in manual_testing can be rejected");
    assertAudited(refused, "reject");
  }

  @Test
  void givenAVeryLongReason_whenRejected_thenTheEventKeepsTheFirstThousandCharacters() {
    String reason = "y".repeat(ReleaseDecider.MAX_TEXT * 2);

    var events = accepted(decide(reject(BOB, reason, card), manualTesting));

    assertThat(((ReleaseRejected) events.get(0)).reason()).hasSize(ReleaseDecider.MAX_TEXT);
  }
}
