package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The envelope fields around a command: ids, scope, trace context and the sender's deadline. */
class CommandCodecEnvelopeTest {

  private static final ReleaseCommand APPROVE =
      new ReleaseCommand.Approve("r-1", 1001, 7L, Actor.telegram(1001, "Alice"));

  @Test
  void givenADeadline_whenEncodedAndDecoded_thenItSurvivesToTheMillisecond() {
    Instant deadline = Instant.parse("2026-11-30T23:59:58.123Z");

    CommandCodec.Envelope e =
        CommandCodec.decode(
            CommandCodec.encode("c-1", APPROVE, "corr", "00-abc-def-01", "acme/billing", deadline));

    assertThat(e.deadline()).isEqualTo(deadline);
    assertThat(e.commandId()).isEqualTo("c-1");
    assertThat(e.repositoryScope()).isEqualTo("acme/billing");
    assertThat(e.command()).isEqualTo(APPROVE);
  }

  @Test
  void givenAPipelinesWorkflowScope_whenEncodedAndDecoded_thenItSurvivesBesideTheRepository() {
    String workflow = "acme/billing/.github/workflows/release.yml@refs/tags/v1.2.3";
    byte[] wire = CommandCodec.encode("c-4", APPROVE, null, null, "acme/billing", null, workflow);

    CommandCodec.Envelope e = CommandCodec.decode(wire);

    assertThat(new String(wire, StandardCharsets.UTF_8))
        .contains("\"workflow_scope\":\"" + workflow + "\"");
    assertThat(e.repositoryScope()).isEqualTo("acme/billing");
    assertThat(e.workflowScope()).isEqualTo(workflow);
  }

  @Test
  void givenARepositoryTokensCommand_thenItHasNoWorkflowScopeOnTheWire() {
    byte[] wire = CommandCodec.encode("c-5", APPROVE, null, null, "acme/billing", null);

    assertThat(new String(wire, StandardCharsets.UTF_8)).doesNotContain("workflow_scope");
    assertThat(CommandCodec.decode(wire).workflowScope()).isNull();
  }

  @Test
  void givenNoDeadline_thenTheCommandHasNone() {
    assertThat(CommandCodec.decode(CommandCodec.encode("c-2", APPROVE, null, null)).deadline())
        .isNull();
  }

  @Test
  void givenADeadlineThatIsNotANumber_thenTheCommandIsMalformedWithItsId() {
    String json =
        new String(CommandCodec.encode("c-3", APPROVE, null, null), StandardCharsets.UTF_8)
            .replaceFirst("\\}$", ",\"deadline_ms\":\"tomorrow\"}");

    assertThatThrownBy(() -> CommandCodec.decode(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CommandCodec.MalformedCommandException.class)
        .hasMessageContaining("deadline_ms")
        .extracting(e -> ((CommandCodec.MalformedCommandException) e).commandId())
        .isEqualTo("c-3");
  }

  @Test
  void givenAnApprovalOnBehalfOfAUser_whenEncodedAndDecoded_thenTheAdminAndTheUserSurvive() {
    ReleaseCommand onBehalf =
        new ReleaseCommand.Approve("r-1", 1001, 7L, Actor.adminTokenFor(1001, "Alice"));

    ReleaseCommand decoded =
        CommandCodec.decode(CommandCodec.encode("c-4", onBehalf, null, null)).command();

    assertThat(decoded).isEqualTo(onBehalf);
    assertThat(decoded.actor().kind()).isEqualTo(Actor.Kind.ADMIN);
    assertThat(decoded.actor().onBehalfOf()).isEqualTo(Actor.telegram(1001, "Alice"));
  }

  @Test
  void givenAPolicyWhereOnBehalfCounts_whenACreateIsEncodedAndDecoded_thenTheFlagSurvives() {
    ReleaseCommand create =
        new ReleaseCommand.CreateRelease(
            new ReleaseSpec(
                "billing",
                "v1.0.0",
                "alice",
                "1",
                "https://github.com/acme/billing/actions/runs/1",
                "refs/tags/v1.0.0",
                "acme/billing",
                "abc123"),
            new ApprovalPolicy(
                java.util.List.of(new ApprovalPolicy.Approver(1001, "Alice", null)),
                1,
                false,
                java.util.List.of(),
                true),
            Actor.github("acme/billing", "alice"));

    assertThat(CommandCodec.decode(CommandCodec.encode("c-5", create, null, null)).command())
        .isEqualTo(create);
  }
}
