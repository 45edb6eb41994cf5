package dev.rmm.api.writer;

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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Hands a request for a release owned by another release-api instance to that instance: the command
 * goes on the commands topic (key = release id, so it lands on the owner's partition), and the
 * owner's answer comes back on the results topic (key = command id). No instance needs to know
 * another's address, and the forwarded command gets the owner's exactly-once treatment.
 */
final class CommandForwarder implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(CommandForwarder.class);

  private final WriterSettings settings;
  private final KafkaProducer<String, byte[]> producer;
  private final Map<String, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
  private final Thread listener;
  private volatile boolean running = true;
  private volatile KafkaConsumer<String, byte[]> results;

  CommandForwarder(WriterSettings settings) {
    this.settings = settings;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    this.producer = new KafkaProducer<>(p);
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(resultReaderProperties());
    List<TopicPartition> parts =
        c.partitionsFor(settings.resultsTopic()).stream()
            .map(i -> new TopicPartition(i.topic(), i.partition()))
            .toList();
    c.assign(parts);
    c.seekToEnd(parts);
    parts.forEach(c::position); // resolve the end now: answers to later commands are after it
    this.results = c;
    this.listener = new Thread(this::listen, "rmm-forward-results");
    this.listener.setDaemon(true);
    this.listener.start();
  }

  /** Sends the command to its owner; completes with the owner's answer (results-topic JSON). */
  CompletableFuture<JsonNode> forward(ReleaseCommand command, RequestMeta meta, String scope) {
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    String id = meta.causationId();
    waiting.put(id, answer);
    answer.whenComplete((r, e) -> waiting.remove(id));
    byte[] body = CommandCodec.encode(id, command, meta.correlationId(), meta.traceparent(), scope);
    producer.send(
        new ProducerRecord<>(settings.commandsTopic(), command.releaseId(), body),
        (md, e) -> {
          if (e != null) {
            answer.completeExceptionally(e);
          }
        });
    return answer;
  }

  private void listen() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : results.poll(Duration.ofMillis(200))) {
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
      LOG.errorf(e, "Reading command results stopped: %s", e.getMessage());
    } finally {
      results.close();
    }
  }

  private Properties resultReaderProperties() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return p;
  }

  @Override
  public void close() {
    running = false;
    results.wakeup();
    try {
      listener.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
