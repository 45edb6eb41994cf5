package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.CommandCodec.Envelope;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Approvals bound to the artifact (issue 15, point 2) add optional fields to two v1 shapes: the
 * approval names the tag and commit it was given for, a step report may name the commit its tag
 * points at. {@code golden-artifact/} pins the new shapes; the files of {@code golden/} and {@code
 * golden-commands/} (without them) still read, with nothing bound. An approval policy may set its
 * approvals' expiry; a policy without it keeps its recorded shape and the default expiry.
 */
class ArtifactBoundWireTest {

  private static final String COMMIT = "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e";
  private static final String MOVED = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";

  @Test
  void givenAnApprovalBoundToTagAndCommit_whenEncoded_thenItIsTheGoldenFileAndReadsBack()
      throws IOException {
    EventEnvelope old = EventCodecGoldenTest.fixture(ApprovalGranted.TYPE);
    ApprovalGranted a = (ApprovalGranted) old.data();
    EventEnvelope bound =
        old.withData(
            new ApprovalGranted(
                a.approverId(), a.approverName(), a.approvals(), a.quorum(), 2L, "v1.2.3", COMMIT));
    byte[] golden = resource("/golden-artifact/release.approval-granted.v1.json");

    JsonNode encoded = EventCodec.mapper().readTree(EventCodec.encode(bound));
    assertThat(encoded).isEqualTo(EventCodec.mapper().readTree(golden));
    assertThat(encoded.path("data").path("commit_sha").asText()).isEqualTo(COMMIT);
    assertThat(EventCodec.decode(golden)).isEqualTo(bound);
  }

  @Test
  void givenAnApprovalWrittenBeforeApprovalsWereBound_whenDecoded_thenItNamesNoCommit() {
    EventEnvelope old = EventCodec.decode(EventCodecGoldenTest.golden(ApprovalGranted.TYPE));

    ApprovalGranted a = (ApprovalGranted) old.data();
    assertThat(a.tag()).isNull();
    assertThat(a.commitSha()).isNull();
    assertThat(old).isEqualTo(EventCodecGoldenTest.fixture(ApprovalGranted.TYPE));
  }

  @Test
  void givenAStepReportNamingItsCommit_whenEncoded_thenItIsTheGoldenFileAndReadsBack()
      throws IOException {
    Envelope full = CommandCodecGoldenTest.fixture("full", ReportStep.TYPE);
    ReportStep s = (ReportStep) full.command();
    Envelope withCommit =
        new Envelope(
            full.commandId(),
            new ReportStep(s.releaseId(), s.status(), s.detail(), s.actor(), MOVED),
            full.correlationId(),
            full.traceparent(),
            full.repositoryScope(),
            full.deadline());
    byte[] golden = resource("/golden-artifact/release.report-step.v1.json");

    assertThat(EventCodec.mapper().readTree(GoldenCommands.encode(withCommit)))
        .isEqualTo(EventCodec.mapper().readTree(golden));
    assertThat(CommandCodec.decode(golden)).isEqualTo(withCommit);
  }

  @Test
  void givenAStepReportSentBeforeStepsNamedACommit_whenDecoded_thenItNamesNone() {
    Envelope old = CommandCodec.decode(CommandCodecGoldenTest.golden("full", ReportStep.TYPE));

    assertThat(((ReportStep) old.command()).commitSha()).isNull();
  }

  @Test
  void givenAPolicyWithoutAnExpiry_whenEncoded_thenItHasNoExpiryFieldAndTheDefaultExpiry()
      throws IOException {
    ApprovalPolicy policy =
        new ApprovalPolicy(
            List.of(new ApprovalPolicy.Approver(1, "Bob", null)), 1, false, List.of(9L));

    JsonNode json = EventCodec.mapper().readTree(EventCodec.mapper().writeValueAsBytes(policy));

    assertThat(json.has("approval_expiry_minutes")).isFalse();
    assertThat(json.size()).isEqualTo(4);
    assertThat(policy.approvalExpiry()).isEqualTo(ApprovalPolicy.DEFAULT_APPROVAL_EXPIRY);
  }

  @Test
  void givenAPolicyWithAnExpiry_whenEncodedAndDecoded_thenTheExpiryIsKept() throws IOException {
    ApprovalPolicy policy =
        new ApprovalPolicy(
                List.of(new ApprovalPolicy.Approver(1, "Bob", null)), 1, false, List.of(9L))
            .withApprovalExpiryMinutes(90);

    byte[] bytes = EventCodec.mapper().writeValueAsBytes(policy);

    assertThat(EventCodec.mapper().readTree(bytes).path("approval_expiry_minutes").asInt())
        .isEqualTo(90);
    assertThat(EventCodec.mapper().readValue(bytes, ApprovalPolicy.class)).isEqualTo(policy);
  }

  private static byte[] resource(String path) throws IOException {
    try (InputStream in = ArtifactBoundWireTest.class.getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return in.readAllBytes();
    }
  }
}
