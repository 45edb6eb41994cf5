package dev.rmm.gateway.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A local OpenAI chat-completions API ({@code POST /v1/chat/completions}) that records every
 * request and answers as the request's text asks: a failure whose text holds {@link #HOLD} is held
 * until {@link #release()} (a model that does not answer in time), {@link #HOLD_BODY} gets its
 * status and headers at once and the body only then (a server that stalls mid-answer), {@link
 * #HTTP_500} gets OpenAI's error JSON with status 500, {@link #GARBAGE} a 200 whose body is not
 * JSON; anything else gets a completion with {@link #NOTE}.
 */
public final class FakeChatCompletions {

  public static final String HOLD = "ai-hold";
  public static final String HOLD_BODY = "ai-hold-body";
  public static final String HTTP_500 = "ai-http-500";
  public static final String GARBAGE = "ai-garbage";

  /** The model's answer, with characters that Telegram's HTML must not take as markup. */
  public static final String NOTE =
      "Probable cause: migration <0042> holds a lock & the step timed out.\n\n"
          + "Next step: release the lock, then retry the rollback.";

  /** A request as it arrived. */
  public record Request(String path, String authorization, JsonNode body) {
    /** The text of all its messages. */
    public String text() {
      StringBuilder b = new StringBuilder();
      body.path("messages").forEach(m -> b.append(m.path("content").asText()).append('\n'));
      return b.toString();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Request> REQUESTS = new CopyOnWriteArrayList<>();
  private static volatile CountDownLatch held = new CountDownLatch(1);
  private static HttpServer server;

  private FakeChatCompletions() {}

  /** Starts the server once; returns its base URL (ending in {@code /v1}). */
  public static synchronized String start() {
    if (server == null) {
      try {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      } catch (IOException e) {
        throw new IllegalStateException("cannot start the fake chat-completions API", e);
      }
      server.createContext("/", FakeChatCompletions::handle);
      server.setExecutor(Executors.newCachedThreadPool());
      server.start();
    }
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  public static List<Request> requests() {
    return List.copyOf(REQUESTS);
  }

  /** The requests whose text mentions {@code marker}. */
  public static List<Request> requestsAbout(String marker) {
    return REQUESTS.stream().filter(r -> r.text().contains(marker)).toList();
  }

  /** Lets the held requests answer (too late for a gateway that timed out). */
  public static void release() {
    CountDownLatch l = held;
    held = new CountDownLatch(1);
    l.countDown();
  }

  private static void handle(HttpExchange x) throws IOException {
    JsonNode body;
    try (InputStream in = x.getRequestBody()) {
      body = JSON.readTree(in);
    } catch (IOException e) {
      body = JSON.createObjectNode();
    }
    Request r =
        new Request(
            x.getRequestURI().getPath(), x.getRequestHeaders().getFirst("Authorization"), body);
    REQUESTS.add(r);
    String text = r.text();
    if (!"POST".equals(x.getRequestMethod()) || !r.path().equals("/v1/chat/completions")) {
      answer(
          x,
          404,
          "{\"error\":{\"message\":\"Unknown request URL\",\"type\":\"invalid_request_error\"}}");
    } else if (text.contains(HOLD_BODY)) {
      holdBody(x, completion(body));
    } else if (text.contains(HOLD)) {
      try {
        held.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(x, 200, completion(body));
    } else if (text.contains(HTTP_500)) {
      answer(
          x,
          500,
          "{\"error\":{\"message\":\"The server had an error while processing your request.\","
              + "\"type\":\"server_error\",\"param\":null,\"code\":null}}");
    } else if (text.contains(GARBAGE)) {
      answer(x, 200, "<html><body>502 Bad Gateway</body></html>");
    } else {
      answer(x, 200, completion(body));
    }
  }

  private static void holdBody(HttpExchange x, String body) throws IOException {
    x.getResponseHeaders().set("Content-Type", "application/json");
    try (OutputStream out = x.getResponseBody()) {
      x.sendResponseHeaders(200, 0); // chunked: the headers go now
      out.write(body.substring(0, 10).getBytes(StandardCharsets.UTF_8));
      out.flush();
      held.await(60, TimeUnit.SECONDS);
      out.write(body.substring(10).getBytes(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client gave up: nothing to answer to
    } finally {
      x.close();
    }
  }

  /** A chat completion as OpenAI answers it. */
  private static String completion(JsonNode request) {
    ObjectNode c = JSON.createObjectNode();
    c.put("id", "chatcmpl-fake-" + REQUESTS.size());
    c.put("object", "chat.completion");
    c.put("created", 1764600000);
    c.put("model", request.path("model").asText("fake"));
    ObjectNode choice = c.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", NOTE);
    choice.put("finish_reason", "stop");
    c.putObject("usage")
        .put("prompt_tokens", 200)
        .put("completion_tokens", 40)
        .put("total_tokens", 240);
    return c.toString();
  }

  private static void answer(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    try {
      x.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      // the client gave up (it timed out): nothing to answer to
    } finally {
      x.close();
    }
  }
}
