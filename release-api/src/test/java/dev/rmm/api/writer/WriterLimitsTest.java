package dev.rmm.api.writer;

import static dev.rmm.api.support.Api.BILLING_REPO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A partition writer's queue is bounded and a request carries its deadline: an HTTP request that
 * finds the queue full is refused at once, and one the writer reaches after its deadline is dropped
 * undecided. In both cases nothing reaches the log. (The HTTP answer to both is 503 with
 * Retry-After; see ReleaseCommands.)
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class WriterLimitsTest {

  @Inject RmmApiConfig config;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private ReleaseLog log;
  private SharedProducer producer;
  private PartitionWriter writer;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
  }

  @AfterEach
  void tearDown() {
    if (writer != null) {
      writer.close();
    }
    if (producer != null) {
      producer.close();
    }
    log.close();
  }

  @Test
  void givenAFullQueue_whenAnHttpRequestArrives_thenItIsRefusedAtOnceAndNothingIsAppended()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    int before = log.events(id).size();
    writer = writerOf(id, 0); // no room at all: every HTTP request finds the queue full

    CompletableFuture<WriteResult> reply = submit(approve(id), null, null);

    assertThatThrownBy(() -> reply.get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(OverloadedException.class)
        .hasMessageContaining("requests waiting, its limit");
    assertThat(log.events(id)).hasSize(before);
  }

  @Test
  void givenAnHttpRequestPastItsDeadline_whenTheWriterReachesIt_thenItIsDroppedUndecided()
      throws Exception {
    String id = Api.releaseInManualTesting(BILLING_REPO);
    int before = log.events(id).size();
    writer = writerOf(id, 100);

    CompletableFuture<WriteResult> late =
        submit(approve(id), null, Instant.now().minus(Duration.ofSeconds(1)));

    assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ExpiredException.class);
    // a request still in time is decided as usual
    WriteResult onTime =
        submit(approve(id), null, Instant.now().plusSeconds(10)).get(10, TimeUnit.SECONDS);
    assertThat(onTime.eventTypes()).contains("release.approval-granted.v1");
    assertThat(log.events(id)).hasSize(before + onTime.eventTypes().size());
  }

  private static ReleaseCommand approve(String id) {
    return new ReleaseCommand.Approve(id, 1001, null, Actor.telegram(1001, "Alice"));
  }

  private CompletableFuture<WriteResult> submit(
      ReleaseCommand command, WriteRequest.KafkaSource source, Instant deadline) {
    String request = UUID.randomUUID().toString();
    CompletableFuture<WriteResult> reply = new CompletableFuture<>();
    writer.submit(
        new WriteRequest(
            command, new RequestMeta(request, request, null), reply, null, source, deadline));
    return reply;
  }

  /** A writer of the release's partition with its own queue limit (outside the group). */
  private PartitionWriter writerOf(String releaseId, int maxWaiting) {
    WriterSettings base = WriterSettings.of(config, bootstrap);
    WriterSettings settings =
        new WriterSettings(
            base.bootstrapServers(),
            base.eventsTopic(),
            base.commandTopics(),
            base.resultsTopic(),
            base.group(),
            base.maxBatch(),
            maxWaiting,
            null,
            null,
            base.memory());
    producer = new SharedProducer(settings.producerProperties());
    PartitionWriter w =
        new PartitionWriter(
            Partitioning.partitionOf(releaseId, ReleaseLog.partitions()),
            settings,
            new WriterMetrics(new SimpleMeterRegistry()),
            OpenTelemetry.noop().getTracer("limits"),
            producer,
            new CommandOffsets());
    w.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> w.phase() == PartitionWriter.Phase.READY);
    return w;
  }
}
