package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.log.ChainFold;
import dev.rmm.contracts.log.Link;
import dev.rmm.local.RmmService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 of release-api under load, as often as {@code -Drmm.chaos.trials} says (1 in the build;
 * {@code deploy/chaos/writer-kill} runs 10). Pipelines keep creating releases and reporting their
 * stage steps; a request that got no answer (the process died, or 503 while the partitions move) is
 * sent again until it is answered, as a pipeline's retry would. Afterwards the log is folded with
 * the chain rule: every answer a pipeline got names an event that is valid in the log (the status
 * it reported at the version it reported), and every release holds each step exactly once. The
 * stack is {@link SharedStack}: release-api is started again before the test ends.
 */
@Order(SharedStack.LAST)
class WriterCrashTest {

  @RegisterExtension static final StackExtension stack = SharedStack.extension();

  private static final int TRIALS = Integer.getInteger("rmm.chaos.trials", 1);
  private static final int PIPELINES = 12;
  private static final List<String> STEPS =
      List.of("stage_building", "stage_test_rollback", "manual_testing");

  /** One 2xx answer: the release, and the status and version the answer reported. */
  private record Answered(String releaseId, String status, long version) {}

  private final HttpClient client = HttpClient.newHttpClient();
  private final ConcurrentLinkedQueue<Answered> answers = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> releases = new ConcurrentLinkedQueue<>();

  @Test
  void givenReleaseApiKilledUnderLoad_thenEveryAnswerIsValidInTheLogAndRetriesAreSafe()
      throws Exception {
    for (int trial = 1; trial <= TRIALS; trial++) {
      runTrial(trial);
    }
    Map<String, List<ReleaseState>> chains = foldLog();
    System.out.printf(
        "WriterCrashTest: %d trials, %d releases, %d answers checked against the log%n",
        TRIALS, releases.size(), answers.size());

    assertThat(answers).isNotEmpty();
    for (Answered a : answers) {
      List<ReleaseState> chain = chains.getOrDefault(a.releaseId(), List.of());
      assertThat(chain.size())
          .as(
              "valid events of %s (answered %s at version %d)",
              a.releaseId(), a.status(), a.version())
          .isGreaterThanOrEqualTo((int) a.version());
      assertThat(chain.get((int) a.version() - 1).status().wire())
          .as("status of %s at version %d", a.releaseId(), a.version())
          .isEqualTo(a.status());
    }
    assertThat(releases).hasSizeGreaterThan(PIPELINES * TRIALS);
    for (String id : releases) {
      List<ReleaseState> chain = chains.get(id);
      assertThat(chain)
          .as("valid events of %s: created and each step exactly once", id)
          .hasSize(1 + STEPS.size());
      assertThat(chain.get(chain.size() - 1).status().wire()).isEqualTo("manual_testing");
    }
  }

  /** Pipelines at work; release-api is killed and started again while they run. */
  private void runTrial(int trial) throws Exception {
    AtomicBoolean more = new AtomicBoolean(true);
    ExecutorService pipelines = Executors.newFixedThreadPool(PIPELINES);
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < PIPELINES; i++) {
      String service = "crash-" + trial + "-" + i;
      running.add(pipelines.submit(() -> pipeline(service, more)));
    }
    // killed under load: the pipelines have been answered a couple of times each (or one of them
    // failed, which f.get() below reports)
    int before = answers.size();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> answers.size() >= before + 2 * PIPELINES || anyEnded(running));
    stack.killService(RmmService.RELEASE_API);
    Thread.sleep(300); // down for a moment before it is started again, as after a crash
    stack.startService(RmmService.RELEASE_API);
    // and the restarted writer answers their retries and new requests a while before they stop
    int restarted = answers.size();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> answers.size() >= restarted + 2 * PIPELINES || anyEnded(running));
    more.set(false);
    for (Future<?> f : running) {
      f.get(120, TimeUnit.SECONDS);
    }
    pipelines.shutdown();
  }

  /** Whether a pipeline ended before it was told to stop: it failed. */
  private static boolean anyEnded(List<Future<?>> running) {
    return running.stream().anyMatch(Future::isDone);
  }

  /**
   * Walks releases through the stage steps until told to stop, each of a service of its own: a
   * newer release of a service reaching manual_testing supersedes the older one (issue 15), an
   * event this test's "each step exactly once" does not count on.
   */
  private void pipeline(String service, AtomicBoolean more) {
    int n = 0;
    while (more.get()) {
      n++;
      String run = UUID.randomUUID().toString();
      JsonNode created =
          untilAnswered(
              "/api/v1/releases",
              Http.createBody(service + "-" + n, "v1." + n + ".0", run.substring(0, 8)));
      String id = created.get("release_id").asText();
      releases.add(id);
      for (String step : STEPS) {
        untilAnswered("/api/v1/releases/" + id + "/steps", Http.step(step));
      }
    }
  }

  /**
   * Sends a request until it gets a 2xx, as a pipeline retries; records the answer. Anything but
   * "no answer" and 503 fails the test.
   */
  private JsonNode untilAnswered(String path, String body) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r;
      try {
        r =
            client.send(
                HttpRequest.newBuilder(URI.create(stack.apiUrl() + path))
                    .header("Authorization", "Bearer " + stack.apiToken())
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        pause(); // no answer: the process died or is not up yet
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (r.statusCode() == 503) {
        pause();
        continue;
      }
      assertThat(r.statusCode()).as("%s %s -> %s", path, body, r.body()).isBetween(200, 299);
      try {
        JsonNode answer = EventCodec.mapper().readTree(r.body());
        answers.add(
            new Answered(
                answer.get("release_id").asText(),
                answer.get("status").asText(),
                answer.get("version").asLong()));
        return answer;
      } catch (IOException e) {
        throw new IllegalStateException("unreadable answer " + r.body(), e);
      }
    }
    throw new AssertionError("no answer to " + path + " within 90 s");
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every release's state after each of its valid events (index = version - 1). */
  private Map<String, List<ReleaseState>> foldLog() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    ChainFold fold = new ChainFold();
    Map<String, List<ReleaseState>> chains = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts =
          c.partitionsFor("rmm.release-events").stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("reading the log").isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (fold.accept(r.key(), r.value()) instanceof Link.Valid v) {
            List<ReleaseState> chain =
                chains.computeIfAbsent(v.event().releaseId(), k -> new ArrayList<>());
            ReleaseState before =
                chain.isEmpty()
                    ? ReleaseState.none(v.event().releaseId())
                    : chain.get(chain.size() - 1);
            chain.add(ReleaseDecider.evolve(before, v.event().data()));
          }
        }
      }
    }
    return chains;
  }
}
