package dev.rmm.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local Telegram Bot API server: it answers the real paths ({@code /bot<token>/<method>}, method
 * names case-insensitive as Telegram's are), hands out scripted updates to {@code getUpdates}, and
 * records every other request for the test to check.
 */
public final class FakeBotApi {

  public static final String TOKEN = "123456:TEST-TOKEN";

  /** One request the bot made. */
  public record Call(String method, String body) {}

  private static final BlockingQueue<String> UPDATES = new LinkedBlockingQueue<>();
  private static final List<Call> CALLS = new CopyOnWriteArrayList<>();
  private static final AtomicInteger MESSAGE_IDS = new AtomicInteger(100);

  private FakeBotApi() {}

  /** Queues an update (raw Bot API JSON) for the bot's next getUpdates. */
  public static void push(String updateJson) {
    UPDATES.add(updateJson);
  }

  /** Requests of one method, in order (method names in lower case). */
  public static List<Call> calls(String method) {
    return CALLS.stream().filter(c -> c.method().equals(method.toLowerCase(Locale.ROOT))).toList();
  }

  /** A text message update from a user in their private chat. */
  public static String message(
      int updateId, long userId, String firstName, String language, String text) {
    return String.format(
        "{\"update_id\":%d,\"message\":{\"message_id\":%d,\"date\":1764150000,"
            + "\"chat\":{\"id\":%d,\"type\":\"private\",\"first_name\":\"%s\"},"
            + "\"from\":{\"id\":%d,\"is_bot\":false,\"first_name\":\"%s\",\"language_code\":\"%s\"},"
            + "\"text\":\"%s\"}}",
        updateId, updateId, userId, firstName, userId, firstName, language, text);
  }

  private static void handle(HttpExchange ex) throws IOException {
    String prefix = "/bot" + TOKEN + "/";
    String path = ex.getRequestURI().getPath();
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String response;
    if (!path.startsWith(prefix)) {
      respond(ex, 401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
      return;
    }
    String method = path.substring(prefix.length()).toLowerCase(Locale.ROOT);
    switch (method) {
      case "getupdates" -> {
        List<String> batch = new ArrayList<>();
        try {
          String first = UPDATES.poll(300, TimeUnit.MILLISECONDS);
          if (first != null) {
            batch.add(first);
            UPDATES.drainTo(batch);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        response = "{\"ok\":true,\"result\":[" + String.join(",", batch) + "]}";
      }
      case "deletewebhook" -> response = "{\"ok\":true,\"result\":true}";
      case "sendmessage", "editmessagetext" -> {
        CALLS.add(new Call(method, body));
        response =
            "{\"ok\":true,\"result\":{\"message_id\":"
                + MESSAGE_IDS.incrementAndGet()
                + ",\"date\":1764150001,\"chat\":{\"id\":1,\"type\":\"private\"},\"text\":\"ok\"}}";
      }
      default -> {
        CALLS.add(new Call(method, body));
        response = "{\"ok\":true,\"result\":true}";
      }
    }
    respond(ex, 200, response);
  }

  private static void respond(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  /** Starts the fake for a test application and points the gateway at it. */
  public static final class Resource implements QuarkusTestResourceLifecycleManager {
    private HttpServer server;

    @Override
    public Map<String, String> start() {
      try {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", FakeBotApi::handle);
        server.start();
        return Map.of(
            "rmm.telegram.bot-token",
            TOKEN,
            "rmm.telegram.api-url",
            "http://127.0.0.1:" + server.getAddress().getPort());
      } catch (IOException e) {
        throw new IllegalStateException("cannot start the fake Bot API", e);
      }
    }

    @Override
    public void stop() {
      if (server != null) {
        server.stop(0);
      }
    }
  }
}
