package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.PIPELINE;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.assertAudited;
import static dev.rmm.contracts.Releases.cancel;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.none;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.telegram;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseEvent.ReleaseCancelled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A newer release of the same service, or an admin, cancels a release still on its way. */
class ReleaseDeciderCancelTest {

  @Test
  void givenNoRelease_whenCancelled_thenNotFound() {
    assertThat(refused(decide(cancel(PIPELINE), none()), Refusal.NOT_FOUND).events()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ReleaseStatus.class)
  void givenAnyStatus_whenAPipelineCancels_thenOnlyAReleaseOnItsWayIsCancelled(
      ReleaseStatus status) {
    ReleaseState state = inStatus(status);

    Decision decision = decide(cancel(PIPELINE), state);

    if (status == ReleaseStatus.CANCELLED) {
      assertThat(accepted(decision)).as("a repeated cancel changes nothing").isEmpty();
    } else if (status.canMoveTo(ReleaseStatus.CANCELLED)) {
      var events = accepted(decision);
      assertThat(events).containsExactly(new ReleaseCancelled(status, "superseded by v1.2.4"));
      assertThat(evolveAll(state, events).status()).isEqualTo(ReleaseStatus.CANCELLED);
    } else {
      Refused refused = refused(decision, Refusal.ILLEGAL_TRANSITION);
      assertThat(refused.detail())
          .isEqualTo("release is " + status + "; only a release still on its way can be cancelled");
      assertThat(refused.events()).isEmpty();
    }
  }

  @Test
  void givenATelegramAdmin_whenTheyCancel_thenTheReleaseIsCancelled() {
    ReleaseState state = inStatus(ReleaseStatus.MANUAL_TESTING);

    assertThat(accepted(decide(cancel(telegram(ADMIN)), state)))
        .containsExactly(
            new ReleaseCancelled(ReleaseStatus.MANUAL_TESTING, "superseded by v1.2.4"));
  }

  @Test
  void givenATelegramUserWhoIsNotAnAdmin_whenTheyCancel_thenNotAllowedAndAudited() {
    Refused refused =
        refused(
            decide(cancel(telegram(BOB)), inStatus(ReleaseStatus.MANUAL_TESTING)),
            Refusal.NOT_ALLOWED);

    assertThat(refused.detail()).isEqualTo("user 102 is not an admin of name-authorization");
    assertAudited(refused, "cancel");
  }
}
