package dev.rmm.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The projector continues the trace that the event's record header names. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ProjectorTracingTest {

  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String APPEND_SPAN = "b7ad6b7169203331";

  @Inject LiveProjector live;
  @Inject InMemorySpanExporter spans;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void givenAnEventWithATraceHeader_whenProjected_thenItsSpanIsAChildOfTheAppend()
      throws Exception {
    EventLog.createTopic(bootstrap, 3);
    live.start();
    var spec = EventLog.spec("traced-svc", "v1.0.0");
    try (EventLog log = new EventLog(bootstrap)) {
      log.appendAt(
          spec.releaseId(),
          new ReleaseEvent.ReleaseCreated(spec, EventLog.POLICY),
          Instant.parse("2026-11-27T09:00:00Z"),
          "00-" + TRACE + "-" + APPEND_SPAN + "-01");
      log.flush();
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> projectSpan().isPresent());
    SpanData span = projectSpan().get();
    assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(span.getParentSpanId()).isEqualTo(APPEND_SPAN);
    assertThat(span.getAttributes().asMap().toString())
        .contains("rmm.release-events")
        .contains(spec.releaseId());
  }

  private Optional<SpanData> projectSpan() {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals("project release event"))
        .filter(s -> s.getTraceId().equals(TRACE))
        .findFirst();
  }
}
