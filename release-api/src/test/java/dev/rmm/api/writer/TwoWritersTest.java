package dev.rmm.api.writer;

import static dev.rmm.api.support.Api.BILLING_REPO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The log is the lock. A second writer plays a stale owner of one partition: it loaded the
 * partition, then keeps appending although the group gave the partition to this instance's writer
 * (a GC pause, a network partition). Both are hammered with approvals and steps of the same
 * releases. Their events race; the chain rule voids the losers, each writer reads the other's
 * events in the gaps between its offsets and decides its losing requests again. Nothing a caller
 * was told is lost or void.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class TwoWritersTest {

  private static final Actor ADMIN = new Actor(Actor.Kind.ADMIN, "*", "admin token");
  private static final long[] APPROVERS = {1001, 1002, 1003};

  /** Trials of the race: 1 in the build, 10 with deploy/chaos/stale-owner. */
  private static final int TRIALS = Integer.getInteger("chaos.stale-owner-trials", 1);

  @Inject ReleaseWriter owner;
  @Inject RmmApiConfig config;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private ReleaseLog log;
  private PartitionWriter stale;
  private final ExecutorService callers = Executors.newFixedThreadPool(8);
  private final List<SharedProducer> producers = new ArrayList<>();

  /** Every answer a caller got: request id -> the answer (results-topic JSON). */
  private final Map<String, JsonNode> answers = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
  }

  @AfterEach
  void tearDown() {
    callers.shutdownNow();
    if (stale != null) {
      stale.close();
    }
    producers.forEach(SharedProducer::close);
    log.close();
  }

  @Test
  void
      givenAStaleOwnerAppendingToTheSamePartition_thenEveryAnswerIsValidAndEachQuorumIsReachedOnce()
          throws Exception {
    for (int trial = 1; trial <= TRIALS; trial++) {
      answers.clear();
      staleOwnerTrial();
      stale.close();
      stale = null;
    }
  }

  /** One trial: ten releases of one partition, raced through its owner and a stale writer. */
  private void staleOwnerTrial() throws Exception {
    List<String> releases = new ArrayList<>();
    int partition = -1;
    while (releases.size() < 10) {
      String id = Api.createRelease(BILLING_REPO);
      int p = Partitioning.partitionOf(id, ReleaseLog.partitions());
      if (partition < 0) {
        partition = p;
      }
      if (p == partition) {
        for (String s : new String[] {"stage_building", "stage_test_rollback", "manual_testing"}) {
          Api.stepOk(Api.ADMIN, id, s);
        }
        releases.add(id);
      }
    }
    stale = staleWriter(partition);

    // every approver approves every release through both writers at once
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (String id : releases) {
      for (long user : APPROVERS) {
        ReleaseCommand approve =
            new ReleaseCommand.Approve(id, user, null, Actor.telegram(user, "user " + user));
        calls.add(viaOwner(approve));
        calls.add(viaStale(approve));
      }
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    // then the production steps, again through both
    for (ReleaseStatus step : List.of(ReleaseStatus.DEPLOYING, ReleaseStatus.DEPLOYED)) {
      calls.clear();
      for (String id : releases) {
        ReleaseCommand report = new ReleaseCommand.ReportStep(id, step, null, ADMIN);
        calls.add(viaOwner(report));
        calls.add(viaStale(report));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    // the log, folded with the one rule every reader uses
    StateFold fold = new StateFold();
    Map<String, List<String>> validByRequest = new HashMap<>();
    Set<String> valid = new HashSet<>();
    int voids = 0;
    for (ConsumerRecord<String, byte[]> r : log.partition(partition)) {
      Link link = fold.accept(r.key(), r.value());
      if (link instanceof Link.Valid v) {
        valid.add(v.event().id());
        validByRequest
            .computeIfAbsent(v.event().causationId(), k -> new ArrayList<>())
            .add(v.event().type());
      } else if (link instanceof Link.Void && releases.contains(r.key())) {
        voids++; // of this trial's releases
      }
    }
    assertThat(voids).as("the two writers raced (void events in the log)").isPositive();

    // every answer names exactly the valid events of its request: none lost, none void
    assertThat(answers).hasSize(2 * releases.size() * (APPROVERS.length + 2));
    answers.forEach(
        (request, answer) -> {
          List<String> said = new ArrayList<>();
          answer.path("events").forEach(t -> said.add(t.asText()));
          assertThat(validByRequest.getOrDefault(request, List.of()))
              .as("valid events of request %s answered %s", request, answer)
              .isEqualTo(said);
        });

    for (String id : releases) {
      ReleaseState s = fold.state(id);
      assertThat(s.status()).isEqualTo(ReleaseStatus.DEPLOYED);
      assertThat(s.approvals()).hasSize(APPROVERS.length);
      long quorums =
          log.events(id).stream()
              .filter(e -> e.data() instanceof ReleaseEvent.ApprovalQuorumReached)
              .filter(e -> valid.contains(e.id()))
              .count();
      assertThat(quorums).as("valid quorum events of %s", id).isEqualTo(1);
      // the owner's own state (its reload plus what it learned in the gaps) is the log's
      JsonNode now =
          owner
              .submit(
                  new ReleaseCommand.ReportStep(id, ReleaseStatus.DEPLOYED, null, ADMIN),
                  new RequestMeta(UUID.randomUUID().toString(), "check", null),
                  null)
              .get(10, TimeUnit.SECONDS);
      assertThat(now.path("version").asLong()).isEqualTo(s.version());
      assertThat(now.path("events")).isEmpty();
    }

    // and a writer that loads the partition afresh folds the same state
    PartitionWriter reloaded = staleWriter(partition);
    try {
      for (String id : releases) {
        WriteResult r =
            submit(
                    reloaded,
                    new ReleaseCommand.ReportStep(id, ReleaseStatus.DEPLOYED, null, ADMIN),
                    UUID.randomUUID().toString())
                .get(10, TimeUnit.SECONDS);
        assertThat(r.state()).isEqualTo(fold.state(id));
      }
    } finally {
      reloaded.close();
    }
  }

  private CompletableFuture<?> viaOwner(ReleaseCommand command) {
    String request = UUID.randomUUID().toString();
    return CompletableFuture.supplyAsync(
            () -> owner.submit(command, new RequestMeta(request, request, null), null), callers)
        .thenCompose(f -> f)
        .thenAccept(answer -> answers.put(request, answer));
  }

  private CompletableFuture<?> viaStale(ReleaseCommand command) {
    String request = UUID.randomUUID().toString();
    return CompletableFuture.supplyAsync(() -> submit(stale, command, request), callers)
        .thenCompose(f -> f)
        .thenAccept(r -> answers.put(request, CommandResults.toJson(request, r)));
  }

  private static CompletableFuture<WriteResult> submit(
      PartitionWriter w, ReleaseCommand command, String request) {
    CompletableFuture<WriteResult> reply = new CompletableFuture<>();
    w.submit(
        new WriteRequest(
            command, new RequestMeta(request, request, null), reply, null, null, null));
    return reply;
  }

  private SharedProducer own(SharedProducer p) {
    producers.add(p);
    return p;
  }

  /** A writer of {@code partition} outside the group: it was its owner and has not noticed. */
  private PartitionWriter staleWriter(int partition) {
    WriterSettings settings = WriterSettings.of(config, bootstrap);
    PartitionWriter w =
        new PartitionWriter(
            partition,
            settings,
            new WriterMetrics(new SimpleMeterRegistry()),
            OpenTelemetry.noop().getTracer("stale"),
            own(new SharedProducer(settings.producerProperties())),
            new CommandOffsets());
    w.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> w.phase() == PartitionWriter.Phase.READY);
    return w;
  }
}
