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
}
