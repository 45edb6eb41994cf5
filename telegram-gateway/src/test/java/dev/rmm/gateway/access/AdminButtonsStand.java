package dev.rmm.gateway.access;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.gateway.outage.ReadModelRows;
import dev.rmm.testsupport.FakeBotApi;
import io.vertx.mutiny.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The rest of rmm around the gateway as the admin-button tests (break-glass, retry dispatch) need
 * it, without running it, so that each test keeps only its given/when/then: the read model as
 * release-projector's migrations make it, holding the rows a test writes ({@link AdminReleaseRow});
 * the test's users in the team chat, so that they see releases; and release-api, stood in for by a
 * thread that reads the gateway's commands topic (from its end, so no earlier class's commands are
 * answered) and answers each command on the results topic as the test's {@link Decider} says,
 * keeping every command it read so that a test can count what the gateway sent. Every answer
 * carries the command and release ids and the release's service and tag (v1.0.0), which the gateway
 * shows; the decider adds the outcome.
 */
final class AdminButtonsStand implements AutoCloseable {

  /** What release-api's decider would answer: puts the outcome, status and events on the answer. */
  @FunctionalInterface
  interface Decider {
    void decide(ReleaseCommand command, ObjectNode answer);
  }

  private static final String RESULTS = "rmm.release-command-results";

  private final Pool pg;
  private final List<ReleaseCommand> received = new CopyOnWriteArrayList<>();
  private final Map<String, String> services = new ConcurrentHashMap<>();
  private final KafkaConsumer<String, byte[]> commands;
  private final Thread responder;

  /**
   * The read model in {@code pg}, with {@code teamMembers} in the team chat of {@code bot}, and
   * release-api answering the commands the gateway sends from now on.
   */
  static AdminButtonsStand start(Pool pg, FakeBotApi bot, Decider decider, long... teamMembers) {
    ReadModelRows.ensureSchema(pg);
    for (long user : teamMembers) {
      bot.chatMember(AccessTestStack.TEAM_CHAT, user, "member");
    }
    return new AdminButtonsStand(pg, decider);
  }

  private AdminButtonsStand(Pool pg, Decider decider) {
    this.pg = pg;
    String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    commands = new KafkaConsumer<>(c);
    TopicPartition tp = new TopicPartition(AccessTestStack.COMMANDS, 0);
    commands.assign(List.of(tp));
    commands.seekToEnd(List.of(tp));
    commands.position(tp);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    responder =
        new Thread(
            () -> {
              try (KafkaProducer<String, byte[]> results = new KafkaProducer<>(p)) {
                while (true) {
                  for (ConsumerRecord<String, byte[]> r : commands.poll(Duration.ofMillis(50))) {
                    CommandCodec.Envelope e = CommandCodec.decode(r.value());
                    received.add(e.command());
                    byte[] answer = answer(e, decider).toString().getBytes(StandardCharsets.UTF_8);
                    results.send(new ProducerRecord<>(RESULTS, e.commandId(), answer));
                  }
                }
              } catch (WakeupException e) {
                // the test is over
              } finally {
                commands.close();
              }
            },
            "release-api-stand-in");
    responder.setDaemon(true);
    responder.start();
  }

  /** Writes {@code row} to the read model; returns its release id. */
  String release(AdminReleaseRow row) {
    String id = row.insert(pg);
    services.put(id, row.service());
    return id;
  }

  /** The commands of {@code type} about {@code releaseId} read so far, in the order read. */
  <T extends ReleaseCommand> List<T> received(Class<T> type, String releaseId) {
    return received.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(c -> c.releaseId().equals(releaseId))
        .toList();
  }

  private ObjectNode answer(CommandCodec.Envelope e, Decider decider) {
    ObjectNode n = EventCodec.mapper().createObjectNode();
    n.put("command_id", e.commandId());
    n.put("release_id", e.command().releaseId());
    ObjectNode release = n.putObject("release");
    release.put("service_name", services.getOrDefault(e.command().releaseId(), "?"));
    release.put("release_tag", "v1.0.0");
    decider.decide(e.command(), n);
    return n;
  }

  /** Stops release-api's stand-in (the test is over). */
  @Override
  public void close() throws InterruptedException {
    commands.wakeup();
    responder.join(10_000);
  }
}
