package dev.rmm.api.writer;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.RollbackTargets;
import dev.rmm.contracts.log.ChainRule;
import dev.rmm.contracts.log.Link;
import dev.rmm.contracts.log.StateFold;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: the writer's heap is bounded. Finished releases leave it (and, past a bound, the least
 * recently used others); a late command for one of them gets the very answer the state folded from
 * offset 0 gives; and a takeover from a snapshot followed by more of the log (void events and
 * repeated commands included) holds exactly the state of a fold from offset 0.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class BoundedMemoryTest {

  private static final Actor ADMIN_ACTOR = new Actor(Actor.Kind.ADMIN, "*", "admin token");
  private static final long[] APPROVERS = {1001, 1002, 1003};
  private static final long ADMIN_USER = 1002;

  /** One release in the heap at most, and a new file as soon as one release left it. */
  private static final PartitionBook.Limits TIGHT = new PartitionBook.Limits(1, 1);

  @Inject RmmApiConfig config;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private ReleaseLog log;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<PartitionWriter> writers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
  }

  @AfterEach
  void tearDown() throws Exception {
    writers.forEach(PartitionWriter::close);
    for (AutoCloseable c : closing) {
      c.close();
    }
    log.close();
  }

  @Test
  void givenReleasesThatLeftTheHeap_whenLateCommandsArrive_thenEachIsAnsweredAsFromTheFoldedState()
      throws Exception {
    String service = Api.newService();
    String earlier = deployed(service, "v1.0.0");
    String release = deployed(service, "v1.1.0");
    int partition = Partitioning.partitionOf(release, ReleaseLog.partitions());
    // the writer under test owns one partition: the rejected release must be one of its own
    String rejected = Api.releaseInManualTesting(BILLING_REPO);
    for (int i = 0;
        i < 200 && Partitioning.partitionOf(rejected, ReleaseLog.partitions()) != partition;
        i++) {
      rejected = Api.releaseInManualTesting(BILLING_REPO);
    }
    assertThat(Partitioning.partitionOf(rejected, ReleaseLog.partitions())).isEqualTo(partition);
    Api.as(ADMIN)
        .body(Map.of("telegram_user_id", 1001, "name", "user 1001", "reason", "broken"))
        .post("/api/v1/releases/{id}/rejections", rejected)
        .then()
        .statusCode(200);

    PartitionWriter w = writer(partition, null, TIGHT);
    // both finished: out of the heap, into the writer's file
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                w.inspect(b -> !b.inHeap(release) && b.inFile(release) && b.inOverlay() == 0)
                    .get(10, TimeUnit.SECONDS));

    Actor admin = Actor.telegram(ADMIN_USER, "Bob");
    RollbackTargets targets = new RollbackTargets(List.of("v1.0.0"), "v1.1.0");
    // a repeat of the last step, an illegal step, an approval of a finished release
    assertAnsweredAsFolded(
        w, new ReleaseCommand.ReportStep(release, ReleaseStatus.DEPLOYED, null, ADMIN_ACTOR), null);
    assertAnsweredAsFolded(
        w,
        new ReleaseCommand.ReportStep(release, ReleaseStatus.STAGE_BUILDING, null, ADMIN_ACTOR),
        null);
    assertAnsweredAsFolded(
        w,
        new ReleaseCommand.Approve(release, 1001, null, Actor.telegram(1001, "user 1001")),
        null);
    assertAnsweredAsFolded(
        w,
        new ReleaseCommand.Approve(rejected, 1002, null, Actor.telegram(1002, "user 1002")),
        null);
    if (Partitioning.partitionOf(earlier, ReleaseLog.partitions()) == partition) {
      assertAnsweredAsFolded(
          w,
          new ReleaseCommand.ReportStep(earlier, ReleaseStatus.DEPLOYING, null, ADMIN_ACTOR),
          null);
    }
    // the rollback of a deployed release: accepted, the next link of its chain
    WriteResult rollback =
        assertAnsweredAsFolded(
            w,
            new ReleaseCommand.RequestRollback(release, ADMIN_USER, "v1.0.0", null, admin),
            targets);
    assertThat(rollback.state().status()).isEqualTo(ReleaseStatus.PRODUCTION_ROLLBACK);
    StateFold after = fold(partition);
    assertThat(after.state(release)).isEqualTo(rollback.state());
    // and the same admin asking again: a repeat, answered without new events
    assertAnsweredAsFolded(
        w, new ReleaseCommand.RequestRollback(release, ADMIN_USER, "v1.0.0", null, admin), targets);
  }

  @Test
  void givenAMemoryBound_whenMoreReleasesAreActive_thenTheHeapHoldsTheBoundAndEachIsDecidedRight()
      throws Exception {
    List<String> ids = releasesOnOnePartition(6);
    int partition = Partitioning.partitionOf(ids.get(0), ReleaseLog.partitions());
    PartitionWriter w = writer(partition, null, new PartitionBook.Limits(2, 2));

    assertThat(w.inspect(PartitionBook::inHeap).get(10, TimeUnit.SECONDS)).isLessThanOrEqualTo(2);
    for (String id : ids) {
      WriteResult r =
          submit(
                  w,
                  new ReleaseCommand.ReportStep(
                      id, ReleaseStatus.STAGE_BUILDING, null, ADMIN_ACTOR),
                  null)
              .get(30, TimeUnit.SECONDS);
      assertThat(r.decision()).isInstanceOf(Decision.Accepted.class);
      assertThat(r.state().version()).isEqualTo(2);
      assertThat(r.state().status()).isEqualTo(ReleaseStatus.STAGE_BUILDING);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> w.inspect(PartitionBook::inHeap).get(10, TimeUnit.SECONDS) <= 2);
    StateFold folded = fold(partition);
    for (String id : ids) {
      assertThat(w.inspect(b -> b.state(id)).get(10, TimeUnit.SECONDS)).isEqualTo(folded.state(id));
    }
  }

  @Test
  void
      givenASnapshotThenVoidEventsAndRepeats_whenAnotherWriterTakesOver_thenItHoldsTheFoldFromZero()
          throws Exception {
    List<String> ids = releasesOnOnePartition(4);
    int partition = Partitioning.partitionOf(ids.get(0), ReleaseLog.partitions());
    for (String s : new String[] {"stage_building", "stage_test_rollback", "manual_testing"}) {
      Api.stepOk(ADMIN, ids.get(0), s);
    }
    Api.stepOk(ADMIN, ids.get(1), "stage_building");
    Api.stepOk(ADMIN, ids.get(1), "stage_building_failed"); // finished: it leaves the heap
    WriterSnapshots snapshots = snapshots();
    PartitionWriter previous = writer(partition, snapshots, TIGHT);
    long taken =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> snapshots.latest(partition, PartitionBook.newDirectory(partition)),
                s -> s.isPresent() && s.get().header().offset() >= endOf(partition))
            .map(s -> s.header().offset())
            .orElseThrow();
    previous.close();

    // after the snapshot: an approval and its repeat, a step and its repeat, void events
    Api.approve(ids.get(0), 1001).then().statusCode(200);
    Api.approve(ids.get(0), 1001);
    Api.stepOk(ADMIN, ids.get(2), "stage_building");
    Api.stepOk(ADMIN, ids.get(2), "stage_building");
    int voids = appendVoidEvents(partition, ids.get(3));
    Api.stepOk(ADMIN, ids.get(3), "stage_building"); // the head the voids did not move
    Api.stepOk(ADMIN, ids.get(1), "stage_building_failed"); // a repeat for a finished release

    PartitionWriter next = writer(partition, snapshots, TIGHT);

    assertThat(next.loadedFromSnapshot()).isEqualTo(taken).isLessThan(endOf(partition));
    StateFold folded = new StateFold();
    int voidsFolded = 0;
    for (ConsumerRecord<String, byte[]> r : log.partition(partition)) {
      if (folded.accept(r.key(), r.value()) instanceof Link.Void) {
        voidsFolded++;
      }
    }
    assertThat(voidsFolded).isGreaterThanOrEqualTo(voids);
    Map<String, ReleaseState> states = new LinkedHashMap<>();
    folded.forEach(states::put);
    for (var e : states.entrySet()) {
      String id = e.getKey();
      ReleaseState state = next.inspect(b -> b.state(id)).get(10, TimeUnit.SECONDS);
      ChainRule.Head head = next.inspect(b -> b.head(id)).get(10, TimeUnit.SECONDS);
      assertThat(state).as("state of %s", id).isEqualTo(e.getValue());
      assertThat(head).as("chain head of %s", id).isEqualTo(folded.head(id));
    }
    assertThat(states).containsKeys(ids.toArray(String[]::new));
  }

  /**
   * Sends {@code command} to the writer, and asserts that its answer is the one the decider gives
   * on the state folded from offset 0 (decision, state, answer as published); returns it.
   */
  private WriteResult assertAnsweredAsFolded(
      PartitionWriter w, ReleaseCommand command, RollbackTargets targets) throws Exception {
    int partition = Partitioning.partitionOf(command.releaseId(), ReleaseLog.partitions());
    ReleaseState before = fold(partition).state(command.releaseId());
    Decision expected = ReleaseDecider.decide(command, before, targets);
    WriteResult r = submit(w, command, targets).get(30, TimeUnit.SECONDS);
    assertThat(r.decision()).as("decision on %s", command).isEqualTo(expected);
    ReleaseState expectedState = ReleaseDecider.evolveAll(before, expected.events());
    // the writer's state keeps each approval's time (its event's), the bare events have none
    assertThat(withoutApprovalTimes(r.state())).isEqualTo(withoutApprovalTimes(expectedState));
    List<String> types = expected.events().stream().map(e -> e.type()).toList();
    assertThat(r.eventTypes()).isEqualTo(types);
    assertThat(CommandResults.toJson("c", r))
        .isEqualTo(
            CommandResults.toJson("c", new WriteResult(expected, r.state(), types, targets)));
    return r;
  }

  private static ReleaseState withoutApprovalTimes(ReleaseState s) {
    return new ReleaseState(
        s.releaseId(),
        s.spec(),
        s.policy(),
        s.status(),
        s.version(),
        s.statusVersion(),
        s.approvals().stream()
            .map(
                a ->
                    new ReleaseState.Approval(
                        a.approverId(), a.approverName(), a.commitSha(), null))
            .toList(),
        s.rejectionReason(),
        s.rollbackToTag(),
        s.dispatch(),
        s.runbook(),
        s.rollbackRequestedBy(),
        s.commitSha(),
        s.breakGlass(),
        s.stagedCommit());
  }

  /** Appends, with a raw producer, an old event again and an event linked to a made-up head. */
  private int appendVoidEvents(int partition, String releaseId) throws Exception {
    ConsumerRecord<String, byte[]> last = null;
    for (ConsumerRecord<String, byte[]> r : log.partition(partition)) {
      if (releaseId.equals(r.key())) {
        last = r;
      }
    }
    EventEnvelope e = EventCodec.decode(last.value());
    EventEnvelope forged =
        new EventEnvelope(
                UUID.randomUUID().toString(),
                e.releaseId(),
                e.sequence() + 1,
                e.occurredAt(),
                e.actor(),
                e.correlationId(),
                e.causationId(),
                e.traceparent(),
                new dev.rmm.contracts.ReleaseEvent.StatusChanged(
                    ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING, null))
            .chainedTo("0".repeat(64));
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(WriterSettings.of(config, bootstrap).producerProperties())) {
      String topic = ReleaseLog.eventsTopic();
      p.send(new ProducerRecord<>(topic, partition, releaseId, last.value()))
          .get(10, TimeUnit.SECONDS);
      p.send(new ProducerRecord<>(topic, partition, releaseId, EventCodec.encode(forged)))
          .get(10, TimeUnit.SECONDS);
    }
    return 2;
  }

  private StateFold fold(int partition) {
    StateFold f = new StateFold();
    for (ConsumerRecord<String, byte[]> r : log.partition(partition)) {
      f.accept(r.key(), r.value());
    }
    return f;
  }

  private static CompletableFuture<WriteResult> submit(
      PartitionWriter w, ReleaseCommand command, RollbackTargets targets) {
    CompletableFuture<WriteResult> reply = new CompletableFuture<>();
    String request = UUID.randomUUID().toString();
    w.submit(
        new WriteRequest(command, new RequestMeta(request, request, null), reply, null, null, null)
            .withRollbackTargets(targets));
    return reply;
  }

  /** A release of {@code service} at {@code tag}, driven to deployed as pipelines do. */
  private static String deployed(String service, String tag) {
    Map<String, Object> body = Api.createBody(service, BILLING_REPO);
    body.put("tag", tag);
    body.put("ref", "refs/tags/" + tag);
    String id = Api.create(ADMIN, body);
    for (String s : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      Api.stepOk(ADMIN, id, s);
    }
    for (long user : APPROVERS) {
      Api.approve(id, user).then().statusCode(200);
    }
    Api.stepOk(ADMIN, id, "deploying");
    Api.stepOk(ADMIN, id, "deployed");
    return id;
  }

  private List<String> releasesOnOnePartition(int count) {
    List<String> ids = new ArrayList<>();
    ids.add(Api.createRelease(BILLING_REPO));
    int partition = Partitioning.partitionOf(ids.get(0), ReleaseLog.partitions());
    while (ids.size() < count) {
      String id = Api.createRelease(BILLING_REPO);
      if (Partitioning.partitionOf(id, ReleaseLog.partitions()) == partition) {
        ids.add(id);
      }
    }
    return ids;
  }

  private long endOf(int partition) {
    return log.endOffsets().get(partition);
  }

  private WriterSnapshots snapshots() {
    WriterSettings s = WriterSettings.of(config, bootstrap);
    WriterSnapshots snapshots =
        new WriterSnapshots(
            config.topics().snapshots(), s.producerProperties(), s.readerProperties());
    closing.add(snapshots);
    return snapshots;
  }

  /** A writer of {@code partition} outside the group, with its own memory bound. */
  private PartitionWriter writer(
      int partition, WriterSnapshots snapshots, PartitionBook.Limits limits) {
    WriterSettings base = WriterSettings.of(config, bootstrap);
    WriterSettings settings =
        new WriterSettings(
            base.bootstrapServers(),
            base.eventsTopic(),
            base.commandTopics(),
            base.resultsTopic(),
            base.group(),
            base.maxBatch(),
            base.maxWaiting(),
            null,
            snapshots == null
                ? null
                : new WriterSettings.SnapshotPolicy(config.topics().snapshots(), 1, Duration.ZERO),
            limits);
    SharedProducer producer = new SharedProducer(settings.producerProperties());
    closing.add(producer::close);
    PartitionWriter w =
        new PartitionWriter(
            partition,
            settings,
            new WriterMetrics(new SimpleMeterRegistry()),
            OpenTelemetry.noop().getTracer("memory"),
            producer,
            new CommandOffsets(),
            snapshots);
    writers.add(w);
    w.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> w.phase() == PartitionWriter.Phase.READY);
    return w;
  }
}
