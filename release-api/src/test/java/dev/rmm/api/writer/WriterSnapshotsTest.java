package dev.rmm.api.writer;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.PartitionDigest;
import dev.rmm.contracts.log.FoldSnapshot;
import dev.rmm.contracts.log.Link;
import dev.rmm.contracts.log.StateFold;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer taking over a partition starts from the newest snapshot of the previous owner's books
 * and folds only the log after it; the snapshot equals a fold of the log up to its offset; a
 * snapshot that does not check is ignored and the writer folds from the start, still right.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class WriterSnapshotsTest {

  private static final Actor ADMIN_ACTOR = new Actor(Actor.Kind.ADMIN, "*", "admin token");

  @Inject RmmApiConfig config;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private ReleaseLog log;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<PartitionWriter> writers = new ArrayList<>();

  @TempDir Path downloads;

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
  void givenASnapshotOfThePartition_whenAnotherWriterTakesOver_thenItStartsThereAndDecidesRight()
      throws Exception {
    List<String> before = releasesOnOnePartition(4);
    int partition = Partitioning.partitionOf(before.get(0), ReleaseLog.partitions());
    WriterSnapshots snapshots = snapshots();

    // the previous owner snapshots once it has folded the partition
    writer(partition, snapshots);
    WriterSnapshots.Restored taken = awaitSnapshot(snapshots, partition, endOf(partition));

    // the snapshot is the fold of the log below its offset: every state, head and the digest
    StateFold folded = new StateFold();
    PartitionDigest digest = new PartitionDigest();
    for (ConsumerRecord<String, byte[]> r : log.partition(partition)) {
      if (r.offset() < taken.header().offset()
          && folded.accept(r.key(), r.value()) instanceof Link.Valid v) {
        digest.add(v.head().hash());
      }
    }
    assertThat(taken.count()).isEqualTo(folded.size());
    folded.forEach(
        (id, state) -> {
          FoldSnapshot.Entry e = ReleaseRecords.decode(taken.releases().get(id));
          assertThat(e.state()).isEqualTo(state);
          assertThat(ReleaseRecords.head(e)).isEqualTo(folded.head(id));
        });
    assertThat(taken.header().digest()).isEqualTo(digest.value());

    // more of the log after the snapshot, then a takeover
    String after = Api.createRelease(BILLING_REPO);
    while (Partitioning.partitionOf(after, ReleaseLog.partitions()) != partition) {
      after = Api.createRelease(BILLING_REPO);
    }
    Api.stepOk(ADMIN, before.get(0), "stage_building");
    PartitionWriter next = writer(partition, snapshots);

    // it started from a snapshot (the newest: the previous owner may have taken another since)
    assertThat(next.loadedFromSnapshot()).isGreaterThanOrEqualTo(taken.header().offset());
    assertDecidesOnTheTrueState(next, before.get(0), ReleaseStatus.STAGE_BUILDING, 3);
    assertDecidesOnTheTrueState(next, after, ReleaseStatus.INITIATED, 2);
  }

  @Test
  void givenASnapshotThatDoesNotCheck_whenAWriterTakesOver_thenItFoldsFromTheStartAndIsRight()
      throws Exception {
    List<String> ids = releasesOnOnePartition(2);
    int partition = Partitioning.partitionOf(ids.get(0), ReleaseLog.partitions());
    WriterSnapshots snapshots = snapshots();
    // a manifest whose chunks are not there (or were altered): its SHA-256 cannot match
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(WriterSettings.of(config, bootstrap).producerProperties())) {
      String forged =
          "{\"format\":\"%s\",\"id\":\"%s\",\"offset\":1,\"first_chunk_offset\":0,\"chunks\":1,\"sha256\":\"%s\",\"releases\":0}"
              .formatted(WriterSnapshots.FORMAT, UUID.randomUUID(), "0".repeat(64));
      p.send(
              new ProducerRecord<>(
                  config.topics().snapshots(),
                  partition,
                  WriterSnapshots.MANIFEST_KEY,
                  forged.getBytes(StandardCharsets.UTF_8)))
          .get(10, TimeUnit.SECONDS);
    }
    assertThat(snapshots.latest(partition, downloads)).isEmpty();

    PartitionWriter w = writer(partition, snapshots);

    assertThat(w.loadedFromSnapshot()).isEqualTo(-1);
    assertDecidesOnTheTrueState(w, ids.get(1), ReleaseStatus.INITIATED, 2);
  }

  /** A step from {@code from} is accepted as the release's next event {@code version}. */
  private static void assertDecidesOnTheTrueState(
      PartitionWriter w, String releaseId, ReleaseStatus from, long version) throws Exception {
    ReleaseStatus next =
        from == ReleaseStatus.INITIATED
            ? ReleaseStatus.STAGE_BUILDING
            : ReleaseStatus.STAGE_TEST_ROLLBACK;
    CompletableFuture<WriteResult> reply = new CompletableFuture<>();
    String request = UUID.randomUUID().toString();
    w.submit(
        new WriteRequest(
            new ReleaseCommand.ReportStep(releaseId, next, null, ADMIN_ACTOR),
            new RequestMeta(request, request, null),
            reply,
            null,
            null,
            null));
    WriteResult r = reply.get(30, TimeUnit.SECONDS);
    assertThat(r.state().status()).isEqualTo(next);
    assertThat(r.state().version()).isEqualTo(version);
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

  private WriterSnapshots.Restored awaitSnapshot(
      WriterSnapshots snapshots, int partition, long atLeast) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> snapshots.latest(partition, downloads),
            s -> s.isPresent() && s.get().header().offset() >= atLeast)
        .get();
  }

  private WriterSnapshots snapshots() {
    WriterSettings s = WriterSettings.of(config, bootstrap);
    WriterSnapshots snapshots =
        new WriterSnapshots(
            config.topics().snapshots(), s.producerProperties(), s.readerProperties());
    closing.add(snapshots);
    return snapshots;
  }

  /** A writer of {@code partition} outside the group that snapshots after every record. */
  private PartitionWriter writer(int partition, WriterSnapshots snapshots) {
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
            new WriterSettings.SnapshotPolicy(config.topics().snapshots(), 1, Duration.ZERO),
            base.memory());
    SharedProducer producer = new SharedProducer(settings.producerProperties());
    closing.add(producer::close);
    PartitionWriter w =
        new PartitionWriter(
            partition,
            settings,
            new WriterMetrics(new SimpleMeterRegistry()),
            OpenTelemetry.noop().getTracer("snapshots"),
            producer,
            new CommandOffsets(),
            snapshots);
    writers.add(w);
    w.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> w.phase() == PartitionWriter.Phase.READY);
    return w;
  }
}
