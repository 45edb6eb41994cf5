package dev.rmm.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeBotApi.SentMessage;
import dev.rmm.testsupport.FakeGitHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The steady load of a chaos trial: pipelines that each walk releases of their own service through
 * the whole life cycle (create, the stage steps, two approvals, the production workflow's dispatch
 * at the fake GitHub, deploying, deployed, and every third release an admin's rollback that runs
 * the SSH runbook), half of the approvals pressed in the team chat through the fake Bot API and
 * half sent over HTTP. Requests are retried as a pipeline or a user would (no answer, or 503 while
 * a part is down) until they are answered, for at most {@link #PATIENCE}; whatever was answered is
 * recorded for the verdict.
 *
 * <p>Everything is sent to loopback only, and the load stops by itself: {@link #stop()} ends every
 * pipeline after its current release, and each request gives up after {@link #PATIENCE}.
 */
final class ChaosLoad {

  /** How long one request (or one Telegram approval) is retried before the load gives up on it. */
  static final Duration PATIENCE = Duration.ofSeconds(90);

  /** The team chat the gateway posts its live cards to. */
  static final long TEAM = -1001234567890L;

  static final long ALICE = 1001;
  static final long BOB = 1002;

  private static final List<String> STAGE =
      List.of("stage_building", "stage_test_rollback", "manual_testing");

  /** A 2xx answer that names an event: the release, and its status and version after it. */
  record Answered(String releaseId, String status, long version, String request) {}

  /** A release the load made, with the trial it belongs to and whether it asked for a rollback. */
  record Release(int trial, String id, String service, String tag, boolean rollback) {}

  /** A callback query pushed to the gateway through the fake Bot API. */
  record Press(String releaseId, String callbackId, String what) {}

  private static final AtomicInteger UPDATE_IDS = new AtomicInteger(500_000);

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String api;
  private final String token;
  private final int pipelines;
  private final Queue<Answered> answers = new ConcurrentLinkedQueue<>();
  private final Queue<Release> releases = new ConcurrentLinkedQueue<>();
  private final Queue<Press> presses = new ConcurrentLinkedQueue<>();
  private final Queue<String> problems = new ConcurrentLinkedQueue<>();
  private final AtomicInteger writesRefused = new AtomicInteger();

  /**
   * 503 answers to rollback requests: release-api checks the target against the read model's
   * allowed tags at the door (issue 13 point 5), so while PostgreSQL is down a rollback is refused
   * with 503 and retried by design; counted apart from the writes that need only the log.
   */
  private final AtomicInteger rollbacksRefused = new AtomicInteger();

  private final AtomicInteger writesUnanswered = new AtomicInteger();
  private final AtomicInteger writesAnswered = new AtomicInteger();
  private ExecutorService running;
  private final List<Future<?>> work = new ArrayList<>();
  private final AtomicBoolean more = new AtomicBoolean();
  private volatile int trial;

  ChaosLoad(String apiUrl, String token, int pipelines) {
    this.api = apiUrl;
    this.token = token;
    this.pipelines = pipelines;
  }

  /** Starts the pipelines of one trial; each works on its own service ({@code chaos0..}). */
  void start(int trial) {
    this.trial = trial;
    more.set(true);
    running = Executors.newFixedThreadPool(pipelines);
    work.clear();
    for (int i = 0; i < pipelines; i++) {
      String service = ChaosStack.service(i);
      work.add(running.submit(() -> pipeline(trial, service)));
    }
  }

  /** Lets every pipeline finish the release it is on, and waits for them. */
  void stop() throws Exception {
    more.set(false);
    try {
      for (Future<?> f : work) {
        f.get(PATIENCE.toSeconds() * 6, TimeUnit.SECONDS);
      }
    } finally {
      running.shutdownNow();
    }
  }

  /** The trial the load was started for. */
  int trial() {
    return trial;
  }

  List<Answered> answers() {
    return List.copyOf(answers);
  }

  List<Release> releases() {
    return List.copyOf(releases);
  }

  List<Press> presses() {
    return List.copyOf(presses);
  }

  /** What the load could not do (a request refused, a request never answered). */
  List<String> problems() {
    return List.copyOf(problems);
  }

  /** Counters of the writes since the last {@link #resetWriteCounters()}: answered, 503, none. */
  int writesAnswered() {
    return writesAnswered.get();
  }

  int writesRefused() {
    return writesRefused.get();
  }

  int rollbacksRefused() {
    return rollbacksRefused.get();
  }

  int writesUnanswered() {
    return writesUnanswered.get();
  }

  void resetWriteCounters() {
    writesAnswered.set(0);
    writesRefused.set(0);
    rollbacksRefused.set(0);
    writesUnanswered.set(0);
  }

  /** Walks releases of one service through their life until told to stop. */
  private void pipeline(int trial, String service) {
    int n = 0;
    String previousTag = null;
    try {
      while (more.get()) {
        n++;
        String tag = "v" + trial + "." + n + ".0";
        String run = trial + "0" + n;
        JsonNode created =
            write("/api/v1/releases", Http.createBody(service, tag, run), "create " + tag);
        if (created == null) {
          return;
        }
        String id = created.get("release_id").asText();
        boolean rollback = previousTag != null && n % 3 == 0;
        releases.add(new Release(trial, id, service, tag, rollback));
        for (String step : STAGE) {
          if (write(stepPath(id), Http.step(step), step) == null) {
            return;
          }
        }
        boolean viaTelegram = n % 2 == 1;
        for (long user : List.of(ALICE, BOB)) {
          if (viaTelegram) {
            approveInTelegram(id, service, tag, user);
          }
          if (write(
                  "/api/v1/releases/" + id + "/approvals",
                  "{\"telegram_user_id\":" + user + ",\"name\":\"u" + user + "\"}",
                  "approve " + user)
              == null) {
            return;
          }
        }
        if (!awaitDispatch(id)) {
          problems.add(service + " " + tag + ": GitHub got no dispatch of " + id + " in time");
          return;
        }
        for (String step : List.of("deploying", "deployed")) {
          if (write(stepPath(id), Http.step(step), step) == null) {
            return;
          }
        }
        if (rollback && awaitTarget(id, previousTag)) {
          write(
              "/api/v1/releases/" + id + "/rollback",
              "{\"telegram_user_id\":1002,\"name\":\"Bob Lead\",\"target_tag\":\""
                  + previousTag
                  + "\"}",
              "rollback to " + previousTag);
        }
        previousTag = tag;
      }
    } catch (RuntimeException e) {
      problems.add(service + ": the pipeline stopped: " + e);
    }
  }

  /**
   * The production workflow reports deploying and deployed only once it runs: waits until the fake
   * GitHub took the release's dispatch (created its run, whether or not its answer got through).
   */
  private boolean awaitDispatch(String id) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      if (FakeGitHub.dispatchesTaken().stream()
          .anyMatch(d -> d.at("/inputs/release_id").asText().equals(id))) {
        return true;
      }
      pause(100);
    }
    return false;
  }

  /**
   * A rollback is checked against the read model, which lags the log (and the chaos stops the
   * projector now and then): waits, as an admin looking at the picker would, until the previous tag
   * is offered.
   */
  private boolean awaitTarget(String id, String tag) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(
                        URI.create(api + "/api/v1/releases/" + id + "/rollback-targets"))
                    .header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          for (JsonNode t : EventCodec.mapper().readTree(r.body()).path("targets")) {
            if (t.path("tag").asText().equals(tag)) {
              return true;
            }
          }
        }
      } catch (IOException e) {
        // the process died or is not up yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      pause(100);
    }
    problems.add("rollback of " + id + ": " + tag + " was never offered as its target");
    return false;
  }

  private static String stepPath(String id) {
    return "/api/v1/releases/" + id + "/steps";
  }

  /**
   * An approver presses ✅ Approve on the release's live card and ✅ Yes on the confirmation, as
   * often as needed until the gateway answers the confirmation (the gateway may be down). The
   * approval over HTTP that follows is then a repeat the API accepts without a new event, and it
   * makes the release move on when every press was lost.
   */
  private void approveInTelegram(String id, String service, String tag, long user) {
    String name = user == ALICE ? "Alice" : "Bob";
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && more.get()) {
      Optional<SentMessage> card =
          awaitMessage(
              m ->
                  m.text().startsWith("📦 Service: " + service + "\n🏷️ Tag: " + tag + "\n")
                      && hasButton(m, "✅ Approve"),
              Duration.ofSeconds(10));
      if (card.isEmpty()) {
        continue;
      }
      int known = lastMessageId();
      press(id, user, name, card.get(), "✅ Approve", "approve");
      Optional<SentMessage> confirm =
          awaitMessage(
              m ->
                  m.messageId() > known
                      && m.text().startsWith("Approve " + service + " " + tag + "?")
                      && hasButton(m, "✅ Yes"),
              Duration.ofSeconds(10));
      if (confirm.isEmpty()) {
        continue;
      }
      String yes = press(id, user, name, confirm.get(), "✅ Yes", "confirm approval");
      FakeBotApi.Answer answer = awaitAnswer(yes, Duration.ofSeconds(10));
      if (answer != null && answer.text().startsWith("✅")) {
        return;
      }
    }
  }

  private String press(
      String releaseId, long user, String name, SentMessage m, String button, String what) {
    String update;
    // Telegram numbers updates in the order they arrive, and getUpdates confirms every id below its
    // offset: an id must never be pushed after a higher one, or the gateway never sees it
    synchronized (UPDATE_IDS) {
      update =
          ChaosStack.BOT_API.callback(
              UPDATE_IDS.incrementAndGet(), user, name, "en", TEAM, m.messageId(), data(m, button));
      ChaosStack.BOT_API.push(update);
    }
    String callbackId;
    try {
      callbackId = EventCodec.mapper().readTree(update).at("/callback_query/id").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    presses.add(new Press(releaseId, callbackId, what + " by " + user));
    return callbackId;
  }

  private static FakeBotApi.Answer awaitAnswer(String callbackId, Duration timeout) {
    try {
      return ChaosStack.BOT_API.awaitAnswer(callbackId, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static int lastMessageId() {
    return ChaosStack.BOT_API.messages(TEAM).stream()
        .mapToInt(SentMessage::messageId)
        .max()
        .orElse(0);
  }

  private static Optional<SentMessage> awaitMessage(
      Predicate<SentMessage> wanted, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<SentMessage> found =
          ChaosStack.BOT_API.messages(TEAM).stream().filter(wanted).reduce((a, b) -> b);
      if (found.isPresent()) {
        return found;
      }
      pause(100);
    }
    return Optional.empty();
  }

  private static boolean hasButton(SentMessage m, String prefix) {
    return m.replyMarkup() != null && data(m, prefix) != null;
  }

  private static String data(SentMessage m, String prefix) {
    for (JsonNode row : m.replyMarkup().path("inline_keyboard")) {
      for (JsonNode b : row) {
        if (b.path("text").asText().startsWith(prefix)) {
          return b.path("callback_data").asText();
        }
      }
    }
    return null;
  }

  /**
   * POSTs until a 2xx answer, as a pipeline retries: no answer and 503 are retried, anything else
   * is a problem of the trial. Returns the answer, or null when the request failed for good.
   */
  private JsonNode write(String path, String body, String what) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r;
      try {
        r =
            client.send(
                HttpRequest.newBuilder(URI.create(api + path))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        writesUnanswered.incrementAndGet();
        pause(100); // no answer: the process died or is not up yet
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      if (r.statusCode() == 503) {
        (path.endsWith("/rollback") ? rollbacksRefused : writesRefused).incrementAndGet();
        pause(100);
        continue;
      }
      if (r.statusCode() < 200 || r.statusCode() > 299) {
        problems.add(what + " " + path + " " + body + " -> " + r.statusCode() + " " + r.body());
        return null;
      }
      writesAnswered.incrementAndGet();
      try {
        JsonNode answer = EventCodec.mapper().readTree(r.body());
        if (answer.hasNonNull("release_id")
            && answer.hasNonNull("status")
            && answer.hasNonNull("version")) {
          answers.add(
              new Answered(
                  answer.get("release_id").asText(),
                  answer.get("status").asText(),
                  answer.get("version").asLong(),
                  what));
        }
        return answer;
      } catch (IOException e) {
        problems.add(what + " " + path + ": unreadable answer " + r.body());
        return null;
      }
    }
    problems.add(what + " " + path + ": no answer within " + PATIENCE.toSeconds() + " s");
    return null;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
