package dev.rmm.contracts.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;

/**
 * Every reader of the log decodes whatever bytes a record holds, so {@link EventCodec#decode} must
 * answer any input with an event or its documented refusal, {@link
 * EventCodec.MalformedEventException}, never another exception; and an event it reads must encode
 * again and read back as the same event. In a normal build this runs the seeds (the golden events
 * and what fuzzing found) under {@code src/test/resources/dev/rmm/contracts/fuzz/}; {@code
 * JAZZER_FUZZ=1} fuzzes for {@link #CI_DURATION}; {@code deploy/fuzz/run} runs the same test
 * longer, in Jazzer's own driver.
 */
class EventCodecFuzzTest {

  static final String CI_DURATION = "20s";

  @FuzzTest(maxDuration = CI_DURATION)
  void givenArbitraryBytes_whenDecoded_thenAnEventThatRoundTripsOrTheDocumentedRefusal(
      byte[] bytes) {
    check(bytes);
  }

  static void check(byte[] bytes) {
    EventEnvelope e;
    try {
      e = EventCodec.decode(bytes);
    } catch (EventCodec.MalformedEventException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    assertThat(EventCodec.decode(EventCodec.encode(e))).isEqualTo(e);
  }
}
