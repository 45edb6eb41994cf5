package dev.rmm.e2e;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local OTLP/HTTP receiver (protobuf, as the services' exporter sends it): it decodes every span
 * the services export and answers as a collector does. Logs are accepted and dropped.
 */
final class OtlpReceiver implements AutoCloseable {

  /** One exported span, ids in lower-case hex ("" for no parent). */
  record ReceivedSpan(
      String service,
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      String kind) {}

  private final HttpServer server;
  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

  OtlpReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in);
            request.getResourceSpansList().forEach(this::collect);
          }
          byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    server.createContext(
        "/v1/logs",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, 0);
          exchange.close();
        });
    server.start();
  }

  /** The base URL to give as QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  private void collect(ResourceSpans rs) {
    String service = attribute(rs.getResource(), "service.name");
    for (ScopeSpans ss : rs.getScopeSpansList()) {
      for (var s : ss.getSpansList()) {
        spans.add(
            new ReceivedSpan(
                service,
                HexFormat.of().formatHex(s.getTraceId().toByteArray()),
                HexFormat.of().formatHex(s.getSpanId().toByteArray()),
                HexFormat.of().formatHex(s.getParentSpanId().toByteArray()),
                s.getName(),
                s.getKind().name()));
      }
    }
  }

  private static String attribute(Resource r, String key) {
    for (KeyValue kv : r.getAttributesList()) {
      if (kv.getKey().equals(key)) {
        return kv.getValue().getStringValue();
      }
    }
    return "";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
