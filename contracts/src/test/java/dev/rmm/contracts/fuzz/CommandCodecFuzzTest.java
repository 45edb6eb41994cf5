package dev.rmm.contracts.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rmm.contracts.CommandCodec;

/**
 * The owner of a release decodes every command record on its topic, so {@link CommandCodec#decode}
 * must answer any input with a command or its documented refusal, {@link
 * CommandCodec.MalformedCommandException}, never another exception; and a command it reads must
 * encode again and read back as the same command. Seeds (one command of each type, and what fuzzing
 * found) are under {@code src/test/resources/dev/rmm/contracts/fuzz/}; {@code JAZZER_FUZZ=1} fuzzes
 * for {@link EventCodecFuzzTest#CI_DURATION}; {@code deploy/fuzz/run} runs the same test longer, in
 * Jazzer's own driver.
 */
class CommandCodecFuzzTest {

  @FuzzTest(maxDuration = EventCodecFuzzTest.CI_DURATION)
  void givenArbitraryBytes_whenDecoded_thenACommandThatRoundTripsOrTheDocumentedRefusal(
      byte[] bytes) {
    check(bytes);
  }

  static void check(byte[] bytes) {
    CommandCodec.Envelope c;
    try {
      c = CommandCodec.decode(bytes);
    } catch (CommandCodec.MalformedCommandException refused) {
      return;
    }
    byte[] again =
        CommandCodec.encode(
            c.commandId(),
            c.command(),
            c.correlationId(),
            c.traceparent(),
            c.repositoryScope(),
            c.deadline(),
            c.workflowScope());
    assertThat(CommandCodec.decode(again)).isEqualTo(c);
  }
}
