package dev.rmm.contracts.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The W3C {@code traceparent} Kafka record header, read and written as is. Needs only
 * kafka-clients, so any client of rmm's topics can use it ({@link RecordTracing} adds the spans).
 */
public final class TraceHeaders {

  public static final String TRACEPARENT = "traceparent";

  private TraceHeaders() {}

  /** The record's traceparent header, or null. */
  public static String traceparent(Headers headers) {
    Header h = headers.lastHeader(TRACEPARENT);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Writes the traceparent header when there is one. */
  public static void inject(String traceparent, Headers headers) {
    if (traceparent != null) {
      headers.remove(TRACEPARENT);
      headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
    }
  }
}
