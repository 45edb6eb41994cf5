package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ReleaseCancelled;
import org.junit.jupiter.api.Test;

/** {@link EventEnvelope#withData} changes the payload and nothing else of the envelope. */
class EventEnvelopeWithDataTest {

  @Test
  void givenAChainedEvent_whenGivenOtherData_thenOnlyItsDataDiffers() {
    EventEnvelope approved =
        GoldenEvents.BY_TYPE.get(ApprovalGranted.TYPE).chainedTo("ab".repeat(32));
    ReleaseCancelled cancelled =
        new ReleaseCancelled(ReleaseStatus.MANUAL_TESTING, "replaced by v2", 3L);

    EventEnvelope copy = approved.withData(cancelled);

    assertThat(copy.data()).isSameAs(cancelled);
    assertThat(copy.type()).isEqualTo(ReleaseCancelled.TYPE);
    assertThat(copy).usingRecursiveComparison().ignoringFields("data").isEqualTo(approved);
    assertThat(approved.data()).isInstanceOf(ApprovalGranted.class);
  }
}
