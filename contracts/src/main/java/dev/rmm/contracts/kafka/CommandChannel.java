package dev.rmm.contracts.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The command protocol of rmm, client side: a command goes on the commands topic (key = release id,
 * so it reaches the release-api instance that owns the release), and the answer comes back on the
 * results topic keyed by the command id. Used by release-api to forward requests to another
 * instance, by the gateway and by the orchestrator; none needs to know release-api's address.
 *
 * <p>The results reader starts at the end of the topic and is positioned before any command is
 * sent, so no answer can pass it by. If the topic does not exist yet (release-api creates it), the
 * reader waits for it in the background.
 */
public final class CommandChannel implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(CommandChannel.class.getName());

  private final String bootstrap;
  private final String commandsTopic;
  private final String resultsTopic;
  private final KafkaProducer<String, byte[]> producer;
  private final Map<String, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
  private final CountDownLatch listening = new CountDownLatch(1);
  private final Thread listener;
  private volatile boolean running = true;
  private volatile KafkaConsumer<String, byte[]> results;

  public CommandChannel(String bootstrap, String commandsTopic, String resultsTopic) {
    this.bootstrap = bootstrap;
    this.commandsTopic = commandsTopic;
    this.resultsTopic = resultsTopic;
    this.producer = KafkaClients.producer(Producers.properties(bootstrap));
    this.listener = new Thread(this::listen, "rmm-command-results");
    this.listener.setDaemon(true);
    this.listener.start();
  }

  /** Whether answers can be read; waits up to {@code timeout} for the results topic. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return listening.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Sends a command; completes with release-api's answer (results-topic JSON: {@code outcome},
   * {@code reason}, {@code detail}, {@code status}, {@code version}, {@code approvals}, {@code
   * quorum}, {@code events}, {@code release}), or exceptionally when Kafka refused the command. The
   * caller bounds the wait.
   *
   * @param scope the repository a forwarded pipeline request is limited to, or null
   */
  public CompletableFuture<JsonNode> send(
      String commandId,
      ReleaseCommand command,
      String correlationId,
      String traceparent,
      String scope) {
    return send(commandId, command, correlationId, traceparent, scope, null);
  }

  /**
   * Sends a command that the writer drops, answering "expired", when it reads it after {@code
   * deadline} (the moment this sender stops waiting). Call it off the Vert.x event loop: a send
   * blocks while Kafka has no metadata for the topic (up to {@code max.block.ms}).
   */
  public CompletableFuture<JsonNode> send(
      String commandId,
      ReleaseCommand command,
      String correlationId,
      String traceparent,
      String scope,
      java.time.Instant deadline) {
    return send(commandId, command, correlationId, traceparent, scope, deadline, null);
  }

  /**
   * Sends a pipeline's request forwarded to the owning instance: limited to the repository {@code
   * scope} and, when the pipeline proved one with its OIDC token, to its workflow ({@link
   * CommandCodec.Envelope#workflowScope()}).
   */
  public CompletableFuture<JsonNode> send(
      String commandId,
      ReleaseCommand command,
      String correlationId,
      String traceparent,
      String scope,
      java.time.Instant deadline,
      String workflowScope) {
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    waiting.put(commandId, answer);
    answer.whenComplete((r, e) -> waiting.remove(commandId));
    byte[] body =
        CommandCodec.encode(
            commandId, command, correlationId, traceparent, scope, deadline, workflowScope);
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(commandsTopic, command.releaseId(), body);
    TraceHeaders.inject(traceparent, record.headers());
    try {
      producer.send(
          record,
          (md, e) -> {
            if (e != null) {
              answer.completeExceptionally(e);
            }
          });
    } catch (RuntimeException e) {
      // no metadata within max.block.ms, or the producer is closed: the command was not sent
      answer.completeExceptionally(e);
    }
    return answer;
  }

  private void listen() {
    Properties p = LogConsumers.properties(bootstrap);
    try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(p)) {
      results = c;
      if (!awaitAssigned(c)) {
        return;
      }
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
      // closing
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "Reading command answers stopped: " + e.getMessage(), e);
    }
  }

  /**
   * Assigns every partition of the results topic at its end, once Kafka serves them; returns false
   * when closed first. Kafka's transient answers while it starts (not reachable, the topic not
   * created or its metadata lagging its creation, no leader yet) are waited out, not fatal: without
   * this thread nothing answers a command.
   */
  private boolean awaitAssigned(KafkaConsumer<String, byte[]> c) {
    boolean told = false;
    while (running) {
      try {
        List<PartitionInfo> info = c.listTopics(Duration.ofSeconds(10)).get(resultsTopic);
        if (info != null && !info.isEmpty()) {
          List<TopicPartition> parts =
              info.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
          c.assign(parts);
          c.seekToEnd(parts);
          parts.forEach(c::position); // resolve the end now: later answers come after it
          return true;
        }
      } catch (KafkaException e) {
        if (!BrokerStartup.isTransient(e)) {
          throw e;
        }
        LOG.info("Kafka at " + bootstrap + " is not ready for " + resultsTopic + ": " + e);
      }
      if (!told) {
        LOG.info(
            "Waiting for Kafka at "
                + bootstrap
                + " and topic "
                + resultsTopic
                + " (release-api creates it when it starts)");
        told = true;
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, byte[]> c = results;
    if (c != null) {
      c.wakeup();
    }
    try {
      listener.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
