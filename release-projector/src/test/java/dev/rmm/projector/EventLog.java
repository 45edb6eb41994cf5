package dev.rmm.projector;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.kafka.TraceHeaders;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes release events to the real broker the way release-api does (same envelope, key = release
 * id, sequences without gaps), so the projector can be tested on its own.
 */
final class EventLog implements AutoCloseable {

  static final String TOPIC = "rmm.release-events";
  static final ApprovalPolicy POLICY =
      ApprovalPolicy.allOf(
          List.of(
              new ApprovalPolicy.Approver(1001, "Alice", "alice"),
              new ApprovalPolicy.Approver(1002, "Bob", null)),
          List.of(1002L));

  private final KafkaProducer<String, byte[]> producer;
  private final Map<String, Long> sequences = new HashMap<>();
  private Instant clock = Instant.parse("2026-11-20T10:00:00Z");

  EventLog(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    producer = new KafkaProducer<>(p);
  }

  static void createTopic(String bootstrap, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Set<String> names = admin.listTopics().names().get();
      if (!names.contains(TOPIC)) {
        admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get();
      }
    }
  }

  /** A release's spec as the tag's pipeline reports it. */
  static ReleaseSpec spec(String service, String tag) {
    return new ReleaseSpec(
        service,
        tag,
        "dev",
        "run-" + tag,
        "https://github.com/acme/" + service + "/actions/runs/1",
        "refs/tags/" + tag,
        "acme/" + service,
        "abc1234");
  }

  /** Creates a release under {@link #POLICY} and walks it to manual testing (4 events). */
  String releaseToManualTesting(String service, String tag) {
    return releaseToManualTesting(service, tag, POLICY);
  }

  /** Creates a release under {@code policy} and walks it to manual testing (4 events). */
  String releaseToManualTesting(String service, String tag, ApprovalPolicy policy) {
    ReleaseSpec spec = spec(service, tag);
    String id = spec.releaseId();
    append(id, new ReleaseEvent.ReleaseCreated(spec, policy));
    append(
        id,
        new ReleaseEvent.StatusChanged(
            ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING, null));
    append(
        id,
        new ReleaseEvent.StatusChanged(
            ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_TEST_ROLLBACK, null));
    append(
        id,
        new ReleaseEvent.StatusChanged(
            ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING, "rehearsal ok"));
    return id;
  }

  /** Both approvals, the quorum, deploying and deployed. */
  void approveAndDeploy(String id) {
    append(id, new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 2));
    append(id, new ReleaseEvent.ApprovalGranted(1002, "Bob", 2, 2));
    append(id, new ReleaseEvent.ApprovalQuorumReached(List.of(1001L, 1002L)));
    append(
        id,
        new ReleaseEvent.StatusChanged(
            ReleaseStatus.MANUAL_TEST_PASSED, ReleaseStatus.DEPLOYING, null));
    append(
        id, new ReleaseEvent.StatusChanged(ReleaseStatus.DEPLOYING, ReleaseStatus.DEPLOYED, null));
  }

  void reject(String id, String reason) {
    append(id, new ReleaseEvent.ReleaseRejected(1002, "Bob", reason));
  }

  void append(String releaseId, ReleaseEvent event) {
    clock = clock.plusSeconds(7);
    appendAt(releaseId, event, clock);
  }

  /** Appends the release's next event, decided at {@code at}. */
  void appendAt(String releaseId, ReleaseEvent event, Instant at) {
    appendAt(releaseId, event, at, null);
  }

  /** Appends the release's next event with a W3C trace context, as release-api writes it. */
  void appendAt(String releaseId, ReleaseEvent event, Instant at, String traceparent) {
    long seq = sequences.merge(releaseId, 1L, Long::sum);
    EventEnvelope e =
        new EventEnvelope(
            UUID.randomUUID().toString(),
            releaseId,
            seq,
            at,
            Actor.system("test"),
            "corr-" + releaseId,
            "cause-" + seq,
            traceparent,
            event);
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(TOPIC, releaseId, EventCodec.encode(e));
    TraceHeaders.inject(traceparent, record.headers());
    producer.send(record);
  }

  /**
   * Appends a record exactly as given, as a writer that chains (or a second, racing writer) stores
   * it: the caller builds the event, its sequence and its hash link. Not counted in {@link
   * #counts}.
   */
  void appendStored(String releaseId, byte[] stored) {
    producer.send(new ProducerRecord<>(TOPIC, releaseId, stored));
  }

  /** How many events each release got. */
  Map<String, Long> counts() {
    return new HashMap<>(sequences);
  }

  List<String> releases() {
    return new ArrayList<>(sequences.keySet());
  }

  void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
