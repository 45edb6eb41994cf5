package dev.rmm.api.tracing;

import static dev.rmm.api.support.Api.BILLING;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.kafka.TraceHeaders;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * W3C trace context from an HTTP call through the writer to the Kafka record: the record's {@code
 * traceparent} header and the event envelope name the writer's append span, itself a child of the
 * request's server span, itself a child of the caller's span.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class TracePropagationTest {

  private static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN = "00f067aa0ba902b7";

  @Inject InMemorySpanExporter spans;

  private ReleaseLog log;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
  }

  @AfterEach
  void tearDown() {
    log.close();
  }

  @Test
  void givenACallerTrace_whenAReleaseIsCreated_thenTheRecordHeaderAndEventContinueIt() {
    String id =
        as(BILLING)
            .header("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01")
            .body(Api.createBody(Api.newService(), BILLING_REPO))
            .post("/api/v1/releases")
            .then()
            .statusCode(201)
            .extract()
            .path("release_id");

    ConsumerRecord<String, byte[]> record = log.records(id).get(0);
    String header = TraceHeaders.traceparent(record.headers());
    assertThat(header).as("the record's traceparent header").startsWith("00-" + CALLER_TRACE + "-");
    assertThat(EventCodec.decode(record.value()).traceparent()).isEqualTo(header);

    SpanData append =
        awaitSpan(
            s ->
                s.getName().equals("append rmm.release-events")
                    && s.getTraceId().equals(CALLER_TRACE));
    assertThat(append.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(header).isEqualTo("00-" + CALLER_TRACE + "-" + append.getSpanId() + "-01");
    SpanData server = awaitSpan(s -> s.getSpanId().equals(append.getParentSpanId()));
    assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(server.getParentSpanId()).as("the caller's span").isEqualTo(CALLER_SPAN);
  }

  @Test
  void givenACallWithoutTrace_whenAStepIsReported_thenANewTraceStartsAtTheRequest() {
    String id = Api.createRelease(BILLING_REPO);
    as(BILLING)
        .body("{\"status\":\"stage_building\"}")
        .post("/api/v1/releases/" + id + "/steps")
        .then()
        .statusCode(200);

    await().atMost(Duration.ofSeconds(10)).until(() -> log.records(id).size() == 2);
    String header = TraceHeaders.traceparent(log.records(id).get(1).headers());
    assertThat(header).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    String traceId = header.substring(3, 35);
    SpanData server =
        awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER);
    assertThat(server.getParentSpanContext().isValid()).as("a root span").isFalse();
    assertThat(server.getAttributes().asMap().toString()).contains("/steps");
  }

  private SpanData awaitSpan(java.util.function.Predicate<SpanData> which) {
    await().atMost(Duration.ofSeconds(10)).until(() -> find(which).isPresent());
    return find(which).get();
  }

  private Optional<SpanData> find(java.util.function.Predicate<SpanData> which) {
    List<SpanData> all = spans.getFinishedSpanItems();
    return all.stream().filter(which).findFirst();
  }
}
