package dev.rmm.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.kafka.AlertPublisher;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.ops.AlertCodec;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeBotApi.SentMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Failures raised while a fault is on, as a service raises them: alerts published on the alerts
 * topic ({@link AlertPublisher#TOPIC}, keyed by fingerprint), some failures once and some again and
 * again. Afterwards {@link #check} judges what the alerts chat shows: every failure arrived (no
 * alert lost, even when Redis or Telegram was down when it was raised), as one message (one {@code
 * sendMessage}), edited to show how often it happened ({@code 🔁 ×N}) rather than sent again.
 */
final class AlertProbe {

  /** How long the alerts chat may take to show every probe once the fault is healed. */
  static final Duration PATIENCE = Duration.ofSeconds(60);

  private final String bootstrap;
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Map<String, Integer> raised = new LinkedHashMap<>();

  AlertProbe(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  /** Raises one occurrence of failure {@code name} of this trial; waits for Kafka's ack. */
  void raise(int trial, String name) {
    String token = token(trial, name);
    int n = raised.merge(token, 1, Integer::sum);
    Alert a =
        new Alert(
            UUID.randomUUID().toString(),
            "chaos-probe",
            Alert.fingerprint("chaos-probe", token),
            "chaos-harness",
            null,
            null,
            null,
            "chaos probe " + token,
            "occurrence " + n,
            null,
            Instant.now());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer
          .send(new ProducerRecord<>(AlertPublisher.TOPIC, a.fingerprint(), AlertCodec.encode(a)))
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not publish the probe alert " + token, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted publishing " + token, e);
    }
  }

  /** How many alerts were raised, for the report. */
  int raised() {
    return raised.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * Waits (at most {@link #PATIENCE}) until the alerts chat shows every raised failure with its
   * count; returns one line per failure that it does not show, or shows in more than one message.
   */
  List<String> check() {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    List<String> failed;
    do {
      failed = new ArrayList<>();
      for (Map.Entry<String, Integer> e : raised.entrySet()) {
        judge(e.getKey(), e.getValue(), failed);
      }
      if (failed.isEmpty()) {
        return failed;
      }
      pause();
    } while (System.nanoTime() < deadline);
    return failed;
  }

  private static void judge(String token, int times, List<String> failed) {
    String summary = "chaos probe " + token;
    long sent =
        ChaosStack.BOT_API.calls("sendMessage").stream()
            .map(FakeBotApi::json)
            .filter(j -> j.path("chat_id").asLong() == ChaosStack.ALERTS)
            .map(j -> j.path("text").asText())
            .filter(t -> t.contains(summary + "\n"))
            .count();
    List<SentMessage> shown =
        ChaosStack.BOT_API.messages(ChaosStack.ALERTS).stream()
            .filter(m -> m.text().contains(summary + "\n"))
            .toList();
    String counted = times == 1 ? null : "🔁 ×" + times;
    if (sent == 0) {
      failed.add(
          "alerts: the failure " + token + " (raised " + times + "×) never reached the chat");
    } else if (sent > 1 || shown.size() > 1) {
      failed.add(
          "alerts: the failure "
              + token
              + " (raised "
              + times
              + "×) was sent "
              + sent
              + " times ("
              + shown.size()
              + " messages in the chat); expected one message, edited");
    } else if (counted != null
        && (shown.isEmpty() || !shown.get(0).text().strip().endsWith(counted))) {
      failed.add(
          "alerts: the message of "
              + token
              + " does not end with '"
              + counted
              + "': "
              + (shown.isEmpty() ? "no message" : last(shown.get(0).text())));
    }
  }

  /**
   * The head of each alert message sent to the alerts chat: what stays the same for one failure
   * (its title, summary and release), without the lines that vary between occurrences.
   */
  static String head(JsonNode sendMessage) {
    List<String> kept = new ArrayList<>();
    List<String> lines = sendMessage.path("text").asText().lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (i < 2 || lines.get(i).startsWith("📦")) {
        kept.add(lines.get(i));
      }
    }
    return String.join("\n", kept);
  }

  private String token(int trial, String name) {
    return "t" + trial + "-" + run + "-" + name;
  }

  private static String last(String text) {
    List<String> lines = text.lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  private static void pause() {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
