package dev.rmm.api.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the writer's callers over the real broker, as the gateway, the orchestrator and other
 * release-api instances talk to it: a plain producer ({@code acks=all}, idempotent) on their
 * commands topics, and a read_committed consumer of the results topic, where each command's answer
 * is keyed by its command id. Shared so that every test of the commands topics sends commands and
 * reads their answers the same way.
 */
public final class CommandsOverKafka implements AutoCloseable {

  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> results;
  private final Duration answerWithin;

  /**
   * Connects to {@code log}'s broker; the answers read are those written from now on, and each is
   * awaited for {@code answerWithin} at the most.
   */
  public CommandsOverKafka(ReleaseLog log, Duration answerWithin) {
    this.answerWithin = answerWithin;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, log.bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producer = new KafkaProducer<>(p);
    results = new KafkaConsumer<>(log.consumerProperties());
    List<TopicPartition> partitions =
        IntStream.range(0, ReleaseLog.partitions())
            .mapToObj(i -> new TopicPartition(ReleaseLog.resultsTopic(), i))
            .toList();
    results.assign(partitions);
    results.seekToEnd(partitions);
    // seekToEnd is lazy: resolve the positions now, or an answer written before the first poll
    // would be skipped
    partitions.forEach(results::position);
  }

  /**
   * Sends {@code command} on {@code topic} under a new command id, keyed by its release id as the
   * gateway and the orchestrator do; returns the command id its answer will carry.
   */
  public String send(String topic, String releaseId, ReleaseCommand command) throws Exception {
    String commandId = UUID.randomUUID().toString();
    deliver(topic, releaseId, CommandCodec.encode(commandId, command, "corr-" + commandId, null));
    return commandId;
  }

  /**
   * Puts {@code value} on {@code topic} as it is (a command encoded by the test, to be delivered
   * again, or bytes no codec wrote) and waits for the broker's acknowledgement.
   */
  public void deliver(String topic, String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
  }

  /** Reads the results topic (read_committed) until the answer to {@code commandId} arrives. */
  public JsonNode awaitResult(String commandId) throws IOException {
    long deadline = System.nanoTime() + answerWithin.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : results.poll(Duration.ofMillis(100))) {
        if (commandId.equals(r.key())) {
          return EventCodec.mapper().readTree(r.value());
        }
      }
    }
    throw new AssertionError("no answer to command " + commandId + " on the results topic");
  }

  @Override
  public void close() {
    results.close();
    producer.close();
  }
}
