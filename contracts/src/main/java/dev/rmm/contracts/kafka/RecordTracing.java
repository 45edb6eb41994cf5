package dev.rmm.contracts.kafka;

import dev.rmm.contracts.tracing.TraceContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Trace context across Kafka: the W3C {@code traceparent} record header written by release-api and
 * the command senders, and the consumer spans that continue a trace on the reading side (named
 * after what they do, with the OpenTelemetry messaging attributes).
 */
public final class RecordTracing {

  public static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  public static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  public static final AttributeKey<String> OPERATION =
      AttributeKey.stringKey("messaging.operation.type");
  public static final AttributeKey<String> RELEASE = AttributeKey.stringKey("rmm.release_id");
  public static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");

  private RecordTracing() {}

  /**
   * A started consumer span for one record, child of the span its header names (a new trace when it
   * has none). The caller ends it.
   */
  public static Span consume(Tracer tracer, String name, ConsumerRecord<String, ?> r) {
    Context parent = TraceContext.parse(TraceHeaders.traceparent(r.headers()));
    return tracer
        .spanBuilder(name)
        .setParent(parent)
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute(SYSTEM, "kafka")
        .setAttribute(DESTINATION, r.topic())
        .setAttribute(OPERATION, "process")
        .setAttribute(OFFSET, r.offset())
        .setAttribute(RELEASE, r.key() == null ? "" : r.key())
        .startSpan();
  }

  /** One consumer span per record that carries a trace header (a batch applied together). */
  public static List<Span> consumeTraced(
      Tracer tracer, String name, List<? extends ConsumerRecord<String, ?>> records) {
    List<Span> spans = new ArrayList<>();
    for (ConsumerRecord<String, ?> r : records) {
      if (r.headers().lastHeader(TraceHeaders.TRACEPARENT) != null) {
        spans.add(consume(tracer, name, r));
      }
    }
    return spans;
  }

  /** Ends the spans, marking them failed when {@code error} is not null. */
  public static void end(List<Span> spans, Throwable error) {
    for (Span s : spans) {
      if (error != null) {
        s.recordException(error);
        s.setStatus(StatusCode.ERROR, error.getMessage());
      }
      s.end();
    }
  }
}
