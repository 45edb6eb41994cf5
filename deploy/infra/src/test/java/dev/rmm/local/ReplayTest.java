package dev.rmm.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.Checkpoint;
import dev.rmm.contracts.audit.CheckpointKeys;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.contracts.audit.LogVerifier;
import dev.rmm.contracts.audit.PartitionDigest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay over a real broker's log in which another writer's event lost a race: the release's event
 * 2 was taken, a second writer appended its own event 2 (a cancellation) afterwards, and the real
 * chain went on with event 3. Every replay command must agree that the cancellation does not count.
 */
class ReplayTest {

  private static final String TOPIC = "rmm.release-events";
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  private static final String ID = "rel-raced";
  private static final String LOST_ID = "evt-lost-cancel";

  @TempDir static Path dir;
  private static LocalKafka kafka;
  private static final KeyPair SIGNER = CheckpointKeys.generate();

  /** The stored events, in log order: created, building, lost (void), rollback. */
  private static List<byte[]> log;

  @BeforeAll
  static void logWithALostRace() throws Exception {
    kafka = new LocalKafka(dir.resolve("kafka"), Ports.free()).start();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
    }
    byte[] created = stored(event("evt-1", 1, 0, created()), EventChain.GENESIS);
    byte[] building =
        stored(
            event("evt-2", 2, 10, status(ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING)),
            EventChain.hash(created));
    byte[] lost =
        stored(
            event(
                LOST_ID,
                2,
                20,
                new ReleaseEvent.ReleaseCancelled(ReleaseStatus.INITIATED, "stale writer")),
            EventChain.hash(created));
    byte[] rollback =
        stored(
            event(
                "evt-3",
                3,
                30,
                status(ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_TEST_ROLLBACK)),
            EventChain.hash(building));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    log = List.of(created, building, lost, rollback);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      for (byte[] value : log) {
        producer.send(new ProducerRecord<>(TOPIC, ID, value)).get();
      }
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void givenAnEventThatLostARace_whenVerified_thenIntactAndListedAsVoid() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    LogVerifier.Report report = replay(out).verify();

    assertThat(report.intact()).isTrue();
    assertThat(report.voids())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.sequence()).isEqualTo(2);
              assertThat(v.location()).isEqualTo(TOPIC + "-0@2");
            });
    assertThat(text(out))
        .contains("OK: every release's chain is intact")
        .contains("1 void event(s) that lost a race")
        .contains("release " + ID + ", event 2 at " + TOPIC + "-0@2: void (lost a race): ");
  }

  @Test
  void givenThePolicyTopic_whenVerified_thenItsChainIsChecked_andATamperedPolicyIsNamed()
      throws Exception {
    String policies = "rmm.release-policies";
    String tampered = "tampered-policies";
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      admin
          .createTopics(
              List.of(new NewTopic(policies, 1, (short) 1), new NewTopic(tampered, 1, (short) 1)))
          .all()
          .get();
    }
    byte[] first = stored(policyEvent("pol-1", 1, List.of(1001L)), EventChain.GENESIS);
    byte[] second = stored(policyEvent("pol-2", 2, List.of()), EventChain.hash(first));
    // the removal of admin 1001, rewritten afterwards to keep them: its link no longer holds
    byte[] rewritten =
        new String(first, StandardCharsets.UTF_8)
            .replace("\"admins\":[1001]", "\"admins\":[1001,666]")
            .getBytes(StandardCharsets.UTF_8);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(policies, "policy", first)).get();
      producer.send(new ProducerRecord<>(policies, "policy", second)).get();
      producer.send(new ProducerRecord<>(tampered, "policy", rewritten)).get();
      producer.send(new ProducerRecord<>(tampered, "policy", second)).get();
    }
    assertThat(rewritten).isNotEqualTo(first);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogVerifier.Report ok =
        new Replay(
                kafka.bootstrapServers(),
                policies,
                new PrintStream(out, true, StandardCharsets.UTF_8))
            .verify();
    assertThat(ok.intact()).isTrue();
    assertThat(ok.events()).isEqualTo(2);
    assertThat(text(out)).contains(policies + ": 1 releases, 2 events");

    LogVerifier.Report broken =
        new Replay(
                kafka.bootstrapServers(),
                tampered,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
            .verify();
    assertThat(broken.intact()).isFalse();
    assertThat(broken.problems()).singleElement().asString().contains("policy");
  }

  private static EventEnvelope policyEvent(String id, long seq, List<Long> admins) {
    ApprovalPolicy billing =
        new ApprovalPolicy(
            List.of(new ApprovalPolicy.Approver(1002, "Bob", null)), 1, false, admins);
    return new EventEnvelope(
        id,
        ReleaseEvent.PolicyChanged.SUBJECT,
        seq,
        T0.plusSeconds(seq),
        new Actor(Actor.Kind.SYSTEM, "release-api@rmm-1", "release-api on rmm-1"),
        null,
        null,
        null,
        new ReleaseEvent.PolicyChanged(
            java.util.Map.of(
                "billing", new ReleaseEvent.PolicyChanged.Service(billing, "acme/billing", null)),
            null,
            List.of("billing"),
            "/etc/rmm/policy.json",
            null,
            "Olga",
            "root"));
  }

  @Test
  void givenAnEventThatLostARace_whenHistoryIsPrinted_thenItIsMarkedVoid() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    assertThat(replay(out).history(ID)).isTrue();

    List<String> lines = text(out).lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(2))
        .startsWith("  2 void: event 2 of release " + ID + " was already taken")
        .contains(LOST_ID)
        .doesNotContain("stale writer");
    assertThat(lines)
        .as("only the void line names the cancellation")
        .filteredOn(l -> l.contains("release.cancelled"))
        .containsExactly(lines.get(2));
    assertThat(lines.get(3)).startsWith("  3 ").contains("stage_test_rollback");
  }

  @Test
  void givenAnEventThatLostARace_whenReplayedAsOf_thenItChangesNothing() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    replay(out).asOf(T0.plusSeconds(25)); // after the void cancellation, before event 3

    assertThat(text(out)).containsPattern(ID + " billing +v1 +stage_building +v2 ");
  }

  @Test
  void givenAnEventThatLostARace_whenExported_thenItIsLeftOut() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    assertThat(replay(out).export(ID)).isTrue();

    List<String> lines = text(out).lines().toList();
    assertThat(lines).hasSize(3).noneMatch(l -> l.contains(LOST_ID));
  }

  @Test
  void givenCheckpointsSignedByTheWriter_whenVerifiedWithThePublicKey_thenEachMatchesTheLog()
      throws Exception {
    // below offset 2: created, building; below 4: and rollback (the lost event is void)
    publish(
        "cp-ok",
        checkpoint(2, SIGNER, log.get(0), log.get(1)),
        checkpoint(4, SIGNER, log.get(0), log.get(1), log.get(3)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    boolean ok = replay(out).verifyCheckpoints("cp-ok", SIGNER.getPublic());

    assertThat(ok).as(text(out)).isTrue();
    assertThat(text(out))
        .contains("cp-ok: 2 checkpoints, 2 checked against the log")
        .contains("OK: every checkpoint is signed by the key and the log below it is unchanged");
  }

  @Test
  void givenACheckpointTheLogNoLongerMatchesOrAForgedOne_whenVerified_thenEachIsReported()
      throws Exception {
    // signed when the lost event was (as if) valid: the log below offset 4 is not what was signed
    publish(
        "cp-bad",
        checkpoint(4, SIGNER, log.get(0), log.get(1), log.get(2)),
        checkpoint(2, CheckpointKeys.generate(), log.get(0), log.get(1)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    boolean ok = replay(out).verifyCheckpoints("cp-bad", SIGNER.getPublic());

    assertThat(ok).isFalse();
    assertThat(text(out))
        .contains("CHECKPOINTS FAILED: 2 problem(s)")
        .contains("checkpoint 0@2: bad signature")
        .contains("checkpoint 0@4 signed at ")
        .contains("the log below it was changed");
  }

  private static byte[] checkpoint(long offset, KeyPair key, byte[]... valid) {
    PartitionDigest d = new PartitionDigest();
    for (byte[] stored : valid) {
      d.add(EventChain.hash(stored));
    }
    return Checkpoint.sign(
            TOPIC, 0, offset, d, T0, key.getPrivate(), CheckpointKeys.keyId(key.getPublic()))
        .encode();
  }

  private static void publish(String topic, byte[]... checkpoints) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      for (byte[] c : checkpoints) {
        producer.send(new ProducerRecord<>(topic, "0", c)).get();
      }
    }
  }

  private static Replay replay(ByteArrayOutputStream out) {
    return new Replay(
        kafka.bootstrapServers(), TOPIC, new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  private static String text(ByteArrayOutputStream out) {
    return out.toString(StandardCharsets.UTF_8);
  }

  private static byte[] stored(EventEnvelope e, String prev) {
    return EventCodec.encode(e.chainedTo(prev));
  }

  private static EventEnvelope event(String id, long seq, long second, ReleaseEvent data) {
    return new EventEnvelope(
        id, ID, seq, T0.plusSeconds(second), Actor.system("test"), null, null, null, data);
  }

  private static ReleaseEvent created() {
    return new ReleaseEvent.ReleaseCreated(
        new ReleaseSpec(
            "billing",
            "v1",
            "octocat",
            "1",
            "https://x/1",
            "refs/tags/v1",
            "acme/billing",
            "abc1234"),
        new ApprovalPolicy(
            List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, List.of()));
  }

  private static ReleaseEvent status(ReleaseStatus from, ReleaseStatus to) {
    return new ReleaseEvent.StatusChanged(from, to, null);
  }
}
