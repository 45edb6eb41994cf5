package dev.rmm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.local.LocalStack;
import dev.rmm.local.Ports;
import dev.rmm.local.RmmService;
import dev.rmm.local.RmmStack;
import dev.rmm.testsupport.FakeBotApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;

/**
 * Telegram button press to the bot's answer, on loopback (PRODUCT.md section 9: p99 ≤ 150 ms,
 * decision included). Starts its own stack (Kafka, Postgres, Redis, the four packaged services)
 * with the gateway talking to a local fake Bot API, then presses buttons one at a time as a user
 * would and times each from the moment the update is handed to the bot's getUpdates to the moment
 * answerCallbackQuery arrives:
 *
 * <ul>
 *   <li>refresh: read model, render, edit the card, answer;
 *   <li>approve: read model, permission check, a confirmation in Redis, send it, answer;
 *   <li>confirm: the Approve command to release-api over Kafka and its decision back, edit, answer
 *       (the figure the service level is about).
 * </ul>
 *
 * <p>Usage: {@code deploy/bench/telegram [--releases 300] [--warmup 50]}.
 */
public final class TelegramPressLatency {

  private static final long TEAM = -1001000000777L;
  private static final String TOKEN = "rmm-bench-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger UPDATES = new AtomicInteger(1);

  /** The Bot API the gateway under measurement talks to. */
  private static final FakeBotApi BOT_API = new FakeBotApi();

  public static void main(String[] args) throws Exception {
    int releases = intArg(args, "--releases", 300);
    int warmup = intArg(args, "--warmup", 50);
    Path root = Path.of("").toAbsolutePath();
    RmmStack.requireBuilt(root, "run ./mvnw -B install -DskipTests first");
    String botApiUrl = BOT_API.start();
    Path data = Files.createTempDirectory("rmm-bench-telegram-");
    Map<RmmService, Integer> ports = new EnumMap<>(RmmService.class);
    for (RmmService s : RmmService.values()) {
      ports.put(s, Ports.free());
    }
    Map<String, String> env = LocalStack.isolatedEnvironment(TOKEN);
    env.put("TELEGRAM_BOT_TOKEN", FakeBotApi.TOKEN);
    env.put("RMM_TELEGRAM_API_URL", botApiUrl);
    env.put("TELEGRAM_TEAM_CHAT_ID", Long.toString(TEAM));
    env.put("RMM_TELEGRAM_DEFAULT_LANGUAGE", "en");
    RmmStack stack =
        new RmmStack(
            new RmmStack.Settings(
                root,
                data.resolve("kafka"),
                data.resolve("postgres"),
                root.resolve("deploy/bench/target/telegram-logs"),
                Ports.free(),
                Ports.free(),
                Ports.free(),
                ports,
                env,
                List.of(),
                Duration.ofSeconds(120)),
            line -> System.out.println("[stack] " + line));
    stack.start();
    try {
      new TelegramPressLatency(stack.service(RmmService.RELEASE_API).baseUrl())
          .run(releases, warmup);
    } finally {
      stack.stop();
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private final String api;
  private final Histogram refresh = new Histogram(60_000_000L, 3);
  private final Histogram approve = new Histogram(60_000_000L, 3);
  private final Histogram confirm = new Histogram(60_000_000L, 3);

  private TelegramPressLatency(String api) {
    this.api = api;
  }

  private void run(int releases, int warmup) throws Exception {
    for (int i = 0; i < warmup + releases; i++) {
      boolean measured = i >= warmup;
      String tag = "v1.0." + i;
      release("bench", tag, Integer.toString(10_000 + i));
      FakeBotApi.SentMessage card =
          await(
              m ->
                  m.text().startsWith("📦 Service: bench\n🏷️ Tag: " + tag + "\n")
                      && m.text().contains("Manual testing"));
      record(measured ? refresh : null, press(card.messageId(), button(card, "🔄 Refresh")));
      int before = BOT_API.messages(TEAM).size();
      record(measured ? approve : null, press(card.messageId(), button(card, "✅ Approve")));
      FakeBotApi.SentMessage question =
          await(
              m ->
                  m.text().equals("Approve bench " + tag + "? Your approval will be counted.")
                      && m.replyMarkup() != null
                      && BOT_API.messages(TEAM).indexOf(m) >= before);
      long answered = press(question.messageId(), button(question, "✅ Yes"));
      record(measured ? confirm : null, answered);
    }
    System.out.printf(
        "%nTelegram press -> answer, loopback fake Bot API, %d presses each after %d warm-up"
            + " releases (microseconds)%n",
        releases, warmup);
    System.out.println("| press | p50 | p90 | p99 | max |");
    System.out.println("| --- | --- | --- | --- | --- |");
    row("refresh (read model, edit)", refresh);
    row("approve (confirmation)", approve);
    row("confirm (decision via Kafka)", confirm);
  }

  /** Presses a button as Alice in the team chat; returns the latency in microseconds. */
  private long press(int messageId, String data) throws Exception {
    String update =
        BOT_API.callback(UPDATES.incrementAndGet(), 1001, "Alice", "en", TEAM, messageId, data);
    String id = JSON.readTree(update).at("/callback_query/id").asText();
    long start = System.nanoTime();
    BOT_API.push(update);
    FakeBotApi.Answer a = BOT_API.awaitAnswer(id, Duration.ofSeconds(30));
    if (a == null) {
      throw new IllegalStateException("no answer to " + data);
    }
    return (a.atNanos() - start) / 1000;
  }

  private static void record(Histogram h, long micros) {
    if (h != null) {
      h.recordValue(Math.max(1, micros));
    }
  }

  private static void row(String name, Histogram h) {
    System.out.printf(
        "| %s | %d | %d | %d | %d |%n",
        name,
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(90),
        h.getValueAtPercentile(99),
        h.getMaxValue());
  }

  private void release(String service, String tag, String run) throws Exception {
    JsonNode created =
        post(
            "/api/v1/releases",
            "{\"service\":\""
                + service
                + "\",\"tag\":\""
                + tag
                + "\",\"initiator\":\"octocat\",\"github_run_id\":\""
                + run
                + "\",\"github_run_link\":\"https://github.com/acme/"
                + service
                + "/actions/runs/"
                + run
                + "\",\"ref\":\"refs/tags/"
                + tag
                + "\",\"repository\":\"acme/"
                + service
                + "\",\"commit_sha\":\"3f2c1a9\"}");
    String id = created.path("release_id").asText();
    for (String s : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      post("/api/v1/releases/" + id + "/steps", "{\"status\":\"" + s + "\"}");
    }
  }

  private JsonNode post(String path, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(api + path))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static FakeBotApi.SentMessage await(Predicate<FakeBotApi.SentMessage> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      for (FakeBotApi.SentMessage m : BOT_API.messages(TEAM)) {
        if (wanted.test(m)) {
          return m;
        }
      }
      Thread.sleep(2);
    }
    throw new IllegalStateException("the expected message did not arrive in the team chat");
  }

  private static String button(FakeBotApi.SentMessage m, String prefix) {
    for (JsonNode row : m.replyMarkup().path("inline_keyboard")) {
      for (JsonNode b : row) {
        if (b.path("text").asText().startsWith(prefix)) {
          return b.path("callback_data").asText();
        }
      }
    }
    throw new IllegalStateException("no button " + prefix + " on " + m.text());
  }

  private static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }
}
