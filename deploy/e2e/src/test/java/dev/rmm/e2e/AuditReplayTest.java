package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.CheckpointKeys;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.contracts.audit.LogVerifier;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.local.Replay;
import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replay for audit over the packaged services' real log: the state of everything at several
 * moments, the hash chain verified (and a tampered or deleted event named), and a release's history
 * exported as CloudEvents in the CDEvents vocabulary. The stack is {@link SharedStack}: the live
 * log holds the other classes' releases too, which every check here allows for.
 */
@Order(SharedStack.LAST)
class AuditReplayTest {

  /** The writer's checkpoint key (the shared stack's writer signs with it every second). */
  private static final KeyPair CHECKPOINT_KEY = SharedStack.CHECKPOINT_KEY;

  @RegisterExtension static final StackExtension stack = SharedStack.extension();

  private static final String EVENTS = "rmm.release-events";
  private static final String CHECKPOINTS = "rmm.release-checkpoints";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void givenReleasesOverTime_whenReplayedAsOfSeveralMoments_thenEachShowsTheStateThen() {
    Pipeline pipeline = new Pipeline(stack);
    String id = pipeline.toManualTesting("asof", "v1.0.0", "701");
    pipeline.approve(id, 1001, 1002);
    List<EventEnvelope> events = records(EVENTS, id).stream().map(r -> decode(r)).toList();

    assertThat(asOf(events.get(0).occurredAt().minusMillis(1))).doesNotContain(id);
    assertThat(asOf(events.get(0).occurredAt()))
        .containsPattern(id + " asof +v1\\.0\\.0 +initiated +v1 ");
    assertThat(asOf(events.get(2).occurredAt()))
        .containsPattern(id + " asof +v1\\.0\\.0 +stage_test_rollback +v3 ");
    EventEnvelope quorum =
        events.stream().filter(e -> e.type().equals("release.quorum-reached.v1")).findFirst().get();
    assertThat(asOf(quorum.occurredAt()))
        .containsPattern(id + " asof +v1\\.0\\.0 +manual_test_passed +v\\d+ approvals 2/2");
  }

  @Test
  void givenTheWriterSigns_whenAnAuditorVerifiesWithThePublicKeyAlone_thenEveryCheckpointHolds() {
    new Pipeline(stack).toManualTesting("signed", "v3.0.0", "703");

    // the writer signs its partitions' heads every second (RMM_CHECKPOINTS_EVERY) once they moved
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> recordsIn(CHECKPOINTS) > 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean ok = replay(EVENTS, out).verifyCheckpoints(CHECKPOINTS, CHECKPOINT_KEY.getPublic());

    assertThat(ok).as(out.toString(StandardCharsets.UTF_8)).isTrue();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("OK: every checkpoint is signed by the key and the log below it is unchanged");
    // another key (an attacker's, or a rotated one not given to the auditor) is not accepted
    ByteArrayOutputStream other = new ByteArrayOutputStream();
    assertThat(
            replay(EVENTS, other)
                .verifyCheckpoints(CHECKPOINTS, CheckpointKeys.generate().getPublic()))
        .isFalse();
    assertThat(other.toString(StandardCharsets.UTF_8)).contains("bad signature");
  }

  @Test
  void givenTheLiveLog_whenVerified_thenEveryChainIsIntact() {
    String id = new Pipeline(stack).toManualTesting("chain", "v2.0.0", "702");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogVerifier.Report report = replay(EVENTS, out).verify();

    assertThat(report.intact()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
    assertThat(report.unchained()).isZero();
    assertThat(report.heads()).containsKey(id);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("OK: every release's chain is intact");
  }

  @Test
  void givenACopyOfTheLogWithAnAlteredOrADeletedEvent_whenVerified_thenTheBrokenLinkIsNamed() {
    String id = new Pipeline(stack).toManualTesting("tamper", "v3.0.0", "703");
    List<ConsumerRecord<String, byte[]>> log = records(EVENTS, id);
    assertThat(log).hasSize(4);

    // an auditor's copy in which someone edited event 2 (who started the stage build)
    copy(
        log,
        "audit-altered",
        r ->
            r.offset() == log.get(1).offset()
                ? new String(r.value(), StandardCharsets.UTF_8)
                    .replace("\"to\":\"stage_building\"", "\"to\":\"stage_building\",\"x\":1")
                    .getBytes(StandardCharsets.UTF_8)
                : r.value());
    ByteArrayOutputStream altered = new ByteArrayOutputStream();
    LogVerifier.Report a = replay("audit-altered", altered).verify();
    assertThat(a.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.releaseId()).isEqualTo(id);
              assertThat(p.sequence()).isEqualTo(3);
              assertThat(p.what()).contains("event 2 was altered");
            });
    assertThat(altered.toString(StandardCharsets.UTF_8))
        .contains("BROKEN: 1 release(s)")
        .contains("release " + id + ", event 3 at audit-altered-0@2");

    // and one in which event 3 was removed
    copy(log, "audit-deleted", r -> r.offset() == log.get(2).offset() ? null : r.value());
    LogVerifier.Report d = replay("audit-deleted", new ByteArrayOutputStream()).verify();
    assertThat(d.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.what()).startsWith("event 3 is missing"));
  }

  @Test
  void givenACopyOfTheLogWithAnEventThatLostARace_whenVerified_thenIntactAndItIsListedAsVoid() {
    String id = new Pipeline(stack).toManualTesting("raced", "v3.1.0", "706");
    List<ConsumerRecord<String, byte[]>> log = records(EVENTS, id);
    assertThat(log).hasSize(4);
    // a second writer decided on event 2 too: its own event 3 (a cancellation) lands last
    EventEnvelope third = decode(log.get(2));
    String lostId = "lost-" + UUID.randomUUID();
    EventEnvelope lost =
        new EventEnvelope(
            lostId,
            id,
            3,
            third.occurredAt(),
            third.actor(),
            third.correlationId(),
            null,
            null,
            EventChain.hash(log.get(1).value()),
            new ReleaseEvent.ReleaseCancelled(ReleaseStatus.STAGE_BUILDING, "a stale writer"));
    copy(log, "audit-raced", ConsumerRecord::value);
    append("audit-raced", id, EventCodec.encode(lost));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogVerifier.Report report = replay("audit-raced", out).verify();

    assertThat(report.intact()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
    assertThat(report.voids())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.releaseId()).isEqualTo(id);
              assertThat(v.sequence()).isEqualTo(3);
              assertThat(v.location()).isEqualTo("audit-raced-0@4");
              assertThat(v.what()).startsWith("void (lost a race)").contains(lostId);
            });
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("OK: every release's chain is intact")
        .contains("1 void event(s) that lost a race");

    ByteArrayOutputStream history = new ByteArrayOutputStream();
    assertThat(replay("audit-raced", history).history(id)).isTrue();
    List<String> lines = history.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.subList(0, 4)).noneMatch(l -> l.contains("void") || l.contains("stale"));
    assertThat(lines.get(3)).contains("\"to\":\"manual_testing\"");
    assertThat(lines.get(4)).startsWith("  3 void: ").contains(lostId);
  }

  @Test
  void givenADeployedAndARejectedRelease_whenExported_thenValidCloudEventsInTheCdEventsVocabulary()
      throws Exception {
    Pipeline pipeline = new Pipeline(stack);
    String deployed = pipeline.toManualTesting("export", "v4.0.0", "704");
    pipeline.approve(deployed, 1001, 1002);
    pipeline.step(deployed, "deploying");
    pipeline.step(deployed, "deployed");
    String rejected = pipeline.toManualTesting("export", "v4.0.1", "705");
    Http.Answer no =
        pipeline
            .api()
            .post(
                "/api/v1/releases/" + rejected + "/rejections",
                "{\"telegram_user_id\":1001,\"reason\":\"login broken\"}");
    assertThat(no.status()).as(String.valueOf(no.body())).isEqualTo(200);
    records(EVENTS, deployed); // both are in the log before the export reads it
    records(EVENTS, rejected);

    JsonSchema format = cloudEventsFormat();
    List<JsonNode> exported = new ArrayList<>();
    for (String id : List.of(deployed, rejected)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(replay(EVENTS, out).export(id)).isTrue();
      for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
        JsonNode event = JSON.readTree(line);
        Set<ValidationMessage> errors = format.validate(event);
        assertThat(errors).as(line).isEmpty();
        CloudEvent parsed = new JsonFormat().deserialize(line.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.getSubject()).isEqualTo(id);
        assertThat(event.get("releaseseq").isInt()).as("an Integer attribute: " + line).isTrue();
        exported.add(event);
      }
    }

    List<String> types = exported.stream().map(e -> e.get("type").asText()).toList();
    assertThat(types)
        .anyMatch(t -> t.startsWith("dev.cdevents.pipelinerun.started.0."))
        .anyMatch(t -> t.startsWith("dev.cdevents.testsuiterun.started.0."))
        .anyMatch(t -> t.startsWith("dev.cdevents.service.deployed.0."))
        .contains("release.approval-granted.v1");
    JsonNode prod =
        exported.stream()
            .filter(e -> e.get("type").asText().startsWith("dev.cdevents.service.deployed"))
            .filter(e -> e.at("/data/subject/content/environment/id").asText().equals("production"))
            .findFirst()
            .orElseThrow();
    assertThat(prod.get("subject").asText()).isEqualTo(deployed);
    assertThat(prod.at("/data/subject/id").asText()).isEqualTo("export");
    assertThat(prod.at("/data/subject/content/artifactId").asText()).endsWith("@v4.0.0");
    assertThat(prod.at("/data/context/id").asText()).isEqualTo(prod.get("id").asText());
    assertThat(
            exported.stream()
                .filter(
                    e -> e.get("type").asText().startsWith("dev.cdevents.testsuiterun.finished"))
                .map(e -> e.at("/data/subject/content/outcome").asText()))
        .containsExactlyInAnyOrder("pass", "fail");
  }

  private static JsonSchema cloudEventsFormat() throws Exception {
    try (InputStream in =
        AuditReplayTest.class.getResourceAsStream("/cloudevents-1.0-json-format.schema.json")) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
  }

  private String asOf(java.time.Instant moment) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    replay(EVENTS, out).asOf(moment);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static Replay replay(String topic, ByteArrayOutputStream out) {
    return new Replay(
        stack.kafkaBootstrapServers(), topic, new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  private static EventEnvelope decode(ConsumerRecord<String, byte[]> r) {
    return EventCodec.decode(r.value());
  }

  /** Every committed record of one release, once at least four are there. */
  private static List<ConsumerRecord<String, byte[]>> records(String topic, String releaseId) {
    Properties p = LogConsumers.properties(stack.kafkaBootstrapServers());
    long deadline = System.currentTimeMillis() + 20_000;
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    while (out.size() < 4 && System.currentTimeMillis() < deadline) {
      out.clear();
      try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
        List<TopicPartition> parts =
            c.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition()))
                .toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        var ends = c.endOffsets(parts);
        while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
            if (releaseId.equals(r.key())) {
              out.add(r);
            }
          }
        }
      }
    }
    return out;
  }

  /** How many records {@code topic} holds (the sum of its end offsets). */
  private static long recordsIn(String topic) {
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(LogConsumers.properties(stack.kafkaBootstrapServers()))) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Appends one record to partition 0 of {@code topic}, as a writer without a transaction does. */
  private static void append(String topic, String key, byte[] value) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(topic, 0, key, value)).get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot append to " + topic, e);
    }
  }

  /** Writes the records, changed by {@code edit} (null drops one), to a new one-partition topic. */
  private static void copy(
      List<ConsumerRecord<String, byte[]>> records,
      String topic,
      java.util.function.Function<ConsumerRecord<String, byte[]>, byte[]> edit) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      for (ConsumerRecord<String, byte[]> r : records) {
        byte[] value = edit.apply(r);
        if (value != null) {
          producer.send(new ProducerRecord<>(topic, 0, r.key(), value));
        }
      }
      producer.flush();
    }
  }
}
