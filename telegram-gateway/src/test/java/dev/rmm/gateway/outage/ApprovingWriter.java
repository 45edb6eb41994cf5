package dev.rmm.gateway.outage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseEvent;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Stands in for release-api on the command protocol: reads every command the gateway sends (the
 * commands topic, from its beginning), remembers its id, and answers each with an accepted approval
 * on the results topic, as release-api's {@code CommandResults} does. What it remembered is what
 * would have been appended.
 */
final class ApprovingWriter implements AutoCloseable {

  private final List<String> commandIds = new CopyOnWriteArrayList<>();
  private final List<java.time.Instant> deadlines = new CopyOnWriteArrayList<>();
  private final KafkaConsumer<String, byte[]> commands;
  private final KafkaProducer<String, byte[]> results;
  private final String resultsTopic;
  private final Thread thread;
  private volatile boolean running = true;

  ApprovingWriter(String bootstrap, String commandsTopic, int partitions, String resultsTopic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.commands = new KafkaConsumer<>(p);
    List<TopicPartition> parts =
        java.util.stream.IntStream.range(0, partitions)
            .mapToObj(i -> new TopicPartition(commandsTopic, i))
            .toList();
    commands.assign(parts);
    commands.seekToBeginning(parts);
    this.results = ReadModelRows.producer(bootstrap);
    this.resultsTopic = resultsTopic;
    this.thread = new Thread(this::run, "approving-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** The ids of the commands read so far, one entry per command record. */
  List<String> commandIds() {
    return List.copyOf(commandIds);
  }

  /** The deadline each command carried (null when it had none), in the order read. */
  List<java.time.Instant> deadlines() {
    return java.util.Collections.unmodifiableList(new java.util.ArrayList<>(deadlines));
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : commands.poll(Duration.ofMillis(200))) {
          CommandCodec.Envelope e = CommandCodec.decode(r.value());
          commandIds.add(e.commandId());
          deadlines.add(e.deadline());
          ObjectNode answer = EventCodec.mapper().createObjectNode();
          answer
              .put("command_id", e.commandId())
              .put("release_id", e.command().releaseId())
              .put("outcome", "accepted")
              .put("status", "manual_testing")
              .put("version", 5)
              .put("approvals", 1)
              .put("quorum", 2);
          answer.putArray("events").add(ReleaseEvent.ApprovalGranted.TYPE);
          results
              .send(
                  new ProducerRecord<>(
                      resultsTopic, e.commandId(), EventCodec.mapper().writeValueAsBytes(answer)))
              .get();
        }
      }
    } catch (WakeupException stopping) {
      // closed
    } catch (Exception e) {
      throw new IllegalStateException("the stand-in writer failed", e);
    } finally {
      commands.close();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    commands.wakeup();
    thread.join(5_000);
    results.close(Duration.ofSeconds(5));
  }
}
