package dev.rmm.contracts.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.HashMap;
import java.util.Map;

/**
 * W3C trace context as rmm carries it: the {@code traceparent} string in events, commands and Kafka
 * record headers. Uses OpenTelemetry's own W3C propagator (an optional dependency of contracts; the
 * services have it through quarkus-opentelemetry).
 */
public final class TraceContext {

  /** The W3C header (and envelope attribute) name; a compile-time constant, so no Kafka class. */
  public static final String HEADER = dev.rmm.contracts.kafka.TraceHeaders.TRACEPARENT;

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapSetter<Map<String, String>> SET = Map::put;
  private static final TextMapGetter<Map<String, String>> GET =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private TraceContext() {}

  /** The traceparent of the span current on this thread, or null when there is none. */
  public static String current() {
    return of(Context.current());
  }

  /** The traceparent of the span in {@code context}, or null when it has no valid span. */
  public static String of(Context context) {
    if (!Span.fromContext(context).getSpanContext().isValid()) {
      return null;
    }
    Map<String, String> carrier = new HashMap<>(2);
    W3C.inject(context, carrier, SET);
    return carrier.get(HEADER);
  }

  /** The traceparent of one span. */
  public static String of(Span span) {
    return of(Context.root().with(span));
  }

  /**
   * A context whose parent span is the one {@code traceparent} names; the root context when it is
   * null or malformed (a new trace then starts).
   */
  public static Context parse(String traceparent) {
    if (traceparent == null) {
      return Context.root();
    }
    return W3C.extract(Context.root(), Map.of(HEADER, traceparent), GET);
  }
}
