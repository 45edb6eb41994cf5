package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseEvent.ActionRefused;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.ReleaseCancelled;
import dev.rmm.contracts.ReleaseEvent.ReleaseRejected;
import dev.rmm.contracts.ReleaseEvent.RollbackRequested;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decisions name the version of the policy that decided them ({@code policy_version}, issue 13
 * point 9): an optional field of the decisions' data, absent on every event written before, so the
 * type names keep their version. {@code golden-policy/<type>.json} pins the new shape; the events
 * of {@code golden/} (without it) still read, with no version.
 */
class EventCodecPolicyVersionTest {

  static Stream<String> decisionsNamingAPolicy() {
    return Stream.of(
        ApprovalGranted.TYPE,
        ApprovalQuorumReached.TYPE,
        ReleaseRejected.TYPE,
        RollbackRequested.TYPE,
        ReleaseCancelled.TYPE,
        ActionRefused.TYPE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisionsNamingAPolicy")
  void givenADecisionUnderPolicyVersion2_whenEncoded_thenItIsTheGoldenFileAndReadsBack(String type)
      throws IOException {
    EventEnvelope decided = withPolicyVersion(EventCodecGoldenTest.fixture(type), 2L);
    byte[] golden = resource("/golden-policy/" + type + ".json");

    JsonNode encoded = EventCodec.mapper().readTree(EventCodec.encode(decided));
    assertThat(encoded).isEqualTo(EventCodec.mapper().readTree(golden));
    assertThat(encoded.path("data").path("policy_version").asLong()).isEqualTo(2L);
    assertThat(EventCodec.decode(golden)).isEqualTo(decided);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisionsNamingAPolicy")
  void givenADecisionWrittenBeforePolicyVersions_whenDecoded_thenItNamesNoVersion(String type) {
    EventEnvelope old = EventCodec.decode(EventCodecGoldenTest.golden(type));

    assertThat(policyVersion(old.data())).isNull();
    assertThat(old).isEqualTo(EventCodecGoldenTest.fixture(type));
  }

  /** The same decision, naming a policy version. */
  static EventEnvelope withPolicyVersion(EventEnvelope e, Long v) {
    ReleaseEvent d = e.data();
    ReleaseEvent named;
    if (d instanceof ApprovalGranted a) {
      named = new ApprovalGranted(a.approverId(), a.approverName(), a.approvals(), a.quorum(), v);
    } else if (d instanceof ApprovalQuorumReached q) {
      named = new ApprovalQuorumReached(q.approverIds(), v);
    } else if (d instanceof ReleaseRejected r) {
      named = new ReleaseRejected(r.rejectedBy(), r.rejectedByName(), r.reason(), v);
    } else if (d instanceof RollbackRequested r) {
      named = new RollbackRequested(r.requestedBy(), r.requestedByName(), r.targetTag(), v);
    } else if (d instanceof ReleaseCancelled c) {
      named = new ReleaseCancelled(c.from(), c.reason(), v);
    } else if (d instanceof ActionRefused r) {
      named = new ActionRefused(r.action(), r.reason(), r.detail(), v);
    } else {
      throw new IllegalArgumentException(d.type() + " names no policy");
    }
    return e.withData(named);
  }

  static Long policyVersion(ReleaseEvent d) {
    for (var c : d.getClass().getRecordComponents()) {
      if (c.getName().equals("policyVersion")) {
        try {
          return (Long) c.getAccessor().invoke(d);
        } catch (ReflectiveOperationException ex) {
          throw new IllegalStateException(ex);
        }
      }
    }
    throw new IllegalArgumentException(d.type() + " has no policy version");
  }

  private static byte[] resource(String path) throws IOException {
    try (InputStream in = EventCodecPolicyVersionTest.class.getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return in.readAllBytes();
    }
  }
}
