package dev.rmm.gateway.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.gateway.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Asks release-api, the single writer, to decide a user's action: the command goes on the commands
 * topic (key = release id, so it reaches the partition's owner), and release-api's answer comes
 * back on the results topic keyed by the command id. The gateway never writes the event log.
 *
 * <p>The results reader starts at the end of the topic when the gateway starts and is positioned
 * before any command is sent, so no answer can pass it by.
 */
@ApplicationScoped
public class CommandClient {

  private static final Logger LOG = Logger.getLogger(CommandClient.class);

  /** Raised when release-api did not answer in time; the command may still be decided later. */
  public static final class NoAnswerException extends Exception {
    NoAnswerException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final String bootstrap;
  private final GatewayConfig.Topics topics;
  private final Map<String, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
  private final CountDownLatch listening = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile KafkaConsumer<String, byte[]> results;
  private volatile KafkaProducer<String, byte[]> producer;
  private Thread listener;

  CommandClient(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, GatewayConfig config) {
    this.bootstrap = bootstrap;
    this.topics = config.topics();
  }

  /** Starts reading answers (in the background, waiting for release-api to create the topic). */
  public synchronized void start() {
    if (listener != null) {
      return;
    }
    listener = new Thread(this::listen, "rmm-command-results");
    listener.setDaemon(true);
    listener.start();
  }

  /**
   * Sends a command and waits for release-api's answer: the results-topic JSON ({@code outcome},
   * {@code reason}, {@code detail}, {@code status}, {@code version}, {@code approvals}, {@code
   * quorum}, {@code events}, {@code release}).
   */
  public JsonNode decide(String commandId, ReleaseCommand command, Duration timeout)
      throws NoAnswerException {
    start();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (!listening.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new NoAnswerException("the results topic is not readable yet", null);
      }
      CompletableFuture<JsonNode> answer = new CompletableFuture<>();
      waiting.put(commandId, answer);
      try {
        byte[] body = CommandCodec.encode(commandId, command, commandId, null);
        producer()
            .send(new ProducerRecord<>(topics.commands(), command.releaseId(), body))
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        long left = Math.max(1, deadline - System.nanoTime());
        return answer.get(left, TimeUnit.NANOSECONDS);
      } finally {
        waiting.remove(commandId);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NoAnswerException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new NoAnswerException(
          "release-api did not answer command " + commandId + " within " + timeout, e);
    }
  }

  private synchronized KafkaProducer<String, byte[]> producer() {
    if (producer == null) {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
      producer = new KafkaProducer<>(p);
    }
    return producer;
  }

  private void listen() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      results = c;
      List<TopicPartition> parts = awaitPartitions(c);
      if (parts.isEmpty()) {
        return;
      }
      c.assign(parts);
      c.seekToEnd(parts);
      parts.forEach(c::position); // resolve the end now: later answers come after it
      listening.countDown();
      while (running) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          CompletableFuture<JsonNode> f = r.key() == null ? null : waiting.get(r.key());
          if (f != null) {
            try {
              f.complete(EventCodec.mapper().readTree(r.value()));
            } catch (IOException e) {
              f.completeExceptionally(e);
            }
          }
        }
      }
    } catch (WakeupException e) {
      // shutting down
    } catch (RuntimeException e) {
      LOG.errorf(e, "Reading release-api's answers stopped: %s", e.getMessage());
    }
  }

  private List<TopicPartition> awaitPartitions(KafkaConsumer<String, byte[]> c) {
    boolean told = false;
    while (running) {
      try {
        List<PartitionInfo> info = c.listTopics(Duration.ofSeconds(10)).get(topics.results());
        if (info != null && !info.isEmpty()) {
          return info.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        }
        if (!told) {
          LOG.infof(
              "Waiting for topic %s: release-api creates it when it starts", topics.results());
          told = true;
        }
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (!told) {
          LOG.warnf(
              "Kafka at %s does not answer yet; buttons that need release-api wait for it",
              bootstrap);
          told = true;
        }
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
    return List.of();
  }

  void onStop(@Observes ShutdownEvent ev) {
    running = false;
    KafkaConsumer<String, byte[]> c = results;
    if (c != null) {
      c.wakeup();
    }
    if (listener != null) {
      try {
        listener.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
    }
  }
}
