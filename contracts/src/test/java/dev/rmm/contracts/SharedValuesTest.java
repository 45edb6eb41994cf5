package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ReleaseEvent.ReleaseCreated;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Releases of a service decoded from the log share one policy object (issue 12: memory). */
class SharedValuesTest {

  private static final EventEnvelope CREATED = GoldenEvents.BY_TYPE.get(ReleaseCreated.TYPE);

  @Test
  void givenTwoCreationsWithEqualPolicies_whenDecoded_thenBothHoldTheSamePolicyObject() {
    byte[] first = EventCodec.encode(CREATED);
    byte[] second = EventCodec.encode(CREATED);

    ReleaseCreated a = (ReleaseCreated) EventCodec.decode(first).data();
    ReleaseCreated b = (ReleaseCreated) EventCodec.decode(second).data();

    assertThat(a.policy()).isEqualTo(((ReleaseCreated) CREATED.data()).policy());
    assertThat(b.policy()).isSameAs(a.policy());
    assertThat(b.spec()).isEqualTo(a.spec());
    assertThat(b.spec().service()).isSameAs(a.spec().service());
    assertThat(b.spec().repository()).isSameAs(a.spec().repository());
    assertThat(b.spec().initiator()).isSameAs(a.spec().initiator());
  }

  @Test
  void givenACreationWithAnotherPolicy_whenDecoded_thenItKeepsItsOwn() {
    ApprovalPolicy other =
        ApprovalPolicy.allOf(List.of(new ApprovalPolicy.Approver(7, "Dora", null)), List.of());
    EventEnvelope created =
        CREATED.withData(new ReleaseCreated(((ReleaseCreated) CREATED.data()).spec(), other));

    ReleaseCreated usual = (ReleaseCreated) EventCodec.decode(EventCodec.encode(CREATED)).data();
    ReleaseCreated unusual = (ReleaseCreated) EventCodec.decode(EventCodec.encode(created)).data();

    assertThat(unusual.policy()).isEqualTo(other).isNotSameAs(usual.policy());
  }

  @Test
  void givenMorePoliciesThanTheLimit_whenShared_thenEachStillComesBackEqual() {
    for (int i = 0; i < SharedValues.LIMIT + 10; i++) {
      ApprovalPolicy p =
          ApprovalPolicy.allOf(
              List.of(new ApprovalPolicy.Approver(i, "Approver " + i, null)), List.of());
      assertThat(SharedValues.of(p)).isEqualTo(p);
    }
    assertThat(SharedValues.of((ApprovalPolicy) null)).isNull();
  }

  @Test
  void givenAnEventThatIsNoCreation_whenShared_thenItIsReturnedAsItIs() {
    EventEnvelope approved = GoldenEvents.BY_TYPE.get(ReleaseEvent.ApprovalGranted.TYPE);

    assertThat(SharedValues.of(approved)).isSameAs(approved);
  }
}
