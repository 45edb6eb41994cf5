package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.e2e.OtlpReceiver.ReceivedSpan;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One trace across the packaged services, as a collector receives it over OTLP: a pipeline's HTTP
 * call, release-api's append to Kafka, the projector's consumer span as its child; and an approval
 * whose trace the orchestrator continues into its dispatch and the command it sends back. The stack
 * is {@link FakesStack} (which exports every span): each test looks only at spans of its own trace.
 */
@Order(FakesStack.ORDER)
class CrossServiceTraceTest {

  /** Every span of the shared stack's services goes there. */
  private static final OtlpReceiver OTLP = FakesStack.OTLP;

  @RegisterExtension static final StackExtension stack = FakesStack.extension();

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @Test
  void givenATracedPipelineCall_thenTheProjectorsSpanIsAChildOfTheAppendInTheSameTrace() {
    String trace = "5b8efff798038103d269b633813fc60c";
    String caller = "eee19b7ec3c1b174";
    Http api = new Http(stack.apiUrl(), stack.apiToken());
    Http.Answer created =
        api.post(
            "/api/v1/releases",
            Http.createBody("traced", "v1.0.0", "901"),
            "00-" + trace + "-" + caller + "-01");
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);

    ReceivedSpan server = span(s -> s.traceId().equals(trace) && s.parentSpanId().equals(caller));
    assertThat(server.service()).isEqualTo("release-api");
    assertThat(server.kind()).isEqualTo("SPAN_KIND_SERVER");
    ReceivedSpan append =
        span(s -> s.name().equals("append rmm.release-events") && isChild(s, server));
    assertThat(append.kind()).isEqualTo("SPAN_KIND_PRODUCER");
    ReceivedSpan projected =
        span(s -> s.name().equals("project release event") && isChild(s, append));
    assertThat(projected.service()).isEqualTo("release-projector");
    assertThat(projected.kind()).isEqualTo("SPAN_KIND_CONSUMER");
  }

  @Test
  void givenTheLastApproval_thenTheOrchestratorContinuesItsTraceIntoTheDispatchCommand() {
    Pipeline pipeline = new Pipeline(stack);
    String id = pipeline.toManualTesting("traced-dispatch", "v2.0.0", "902");
    pipeline.approve(id, 1001);
    String trace = "0af7651916cd43dd8448eb211c80319c";
    Http.Answer last =
        pipeline
            .api()
            .post(
                "/api/v1/releases/" + id + "/approvals",
                "{\"telegram_user_id\":1002}",
                "00-" + trace + "-b7ad6b7169203331-01");
    assertThat(last.status()).as(String.valueOf(last.body())).isEqualTo(200);

    ReceivedSpan dispatch =
        span(s -> s.traceId().equals(trace) && s.name().equals("dispatch production workflow"));
    assertThat(dispatch.service()).isEqualTo("deploy-orchestrator");
    ReceivedSpan quorumAppend = span(s -> s.spanId().equals(dispatch.parentSpanId()));
    assertThat(quorumAppend.name()).isEqualTo("append rmm.release-events");
    assertThat(quorumAppend.service()).isEqualTo("release-api");
    // the orchestrator's command (claiming the dispatch) is appended as a child of its span
    ReceivedSpan claim =
        span(s -> s.name().equals("append rmm.release-events") && isChild(s, dispatch));
    assertThat(claim.service()).isEqualTo("release-api");
  }

  private static boolean isChild(ReceivedSpan s, ReceivedSpan parent) {
    return s.traceId().equals(parent.traceId()) && s.parentSpanId().equals(parent.spanId());
  }

  private static ReceivedSpan span(Predicate<ReceivedSpan> which) {
    Awaitility.await().atMost(PATIENCE).until(() -> find(which).isPresent());
    return find(which).get();
  }

  private static Optional<ReceivedSpan> find(Predicate<ReceivedSpan> which) {
    return OTLP.spans().stream().filter(which).findFirst();
  }
}
