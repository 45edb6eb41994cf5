package dev.rmm.api.writer;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Two release-api instances share the partitions. This test plays the second instance (a second
 * {@link ReleaseWriter} in the same JVM, joining the same group): requests that reach the HTTP app
 * for a release the second instance owns are forwarded to it over Kafka and answered exactly as the
 * owner decides; concurrent approvals still reach the quorum exactly once; when the second instance
 * leaves, the app takes its partitions back and goes on from the log.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class SecondInstanceTest {

  @Inject RmmApiConfig config;
  @Inject ReleaseWriter app;
  @Inject dev.rmm.api.rollback.RollbackTargetLookup rollbackTargets;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void givenAReleaseOwnedByTheOtherInstance_whenUsedThroughThisOne_thenItIsForwarded()
      throws Exception {
    Api.awaitReady();
    ReleaseWriter second =
        new ReleaseWriter(
            config,
            new TopicSetup(config, bootstrap),
            bootstrap,
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            io.opentelemetry.api.trace.TracerProvider.noop().get("second-instance"),
            rollbackTargets);
    second.onStart(null);
    try (ReleaseLog log = new ReleaseLog()) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  second.isReady()
                      && app.isReady()
                      && !second.ownedPartitions().isEmpty()
                      && second.ownedPartitions().size() + app.ownedPartitions().size()
                          == config.topics().partitions());
      int foreign = second.ownedPartitions().keySet().iterator().next();
      Map<String, Object> body = bodyOnPartition(foreign);

      // create and steps through the app, decided by the second instance
      String id = Api.create(ADMIN, body);
      assertThat(Partitioning.partitionOf(id, config.topics().partitions())).isEqualTo(foreign);
      Api.as(ADMIN).body(body).post("/api/v1/releases").then().statusCode(200); // idempotent
      for (String s : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
        Api.stepOk(BILLING, id, s);
      }
      Response illegal = Api.step(BILLING, id, "deployed");
      assertThat(assertProblem(illegal, 409, "cannot move to deployed").getString("current_status"))
          .isEqualTo("manual_testing");
      // the repository check travels with the forwarded command
      String other = Api.create(ADMIN, bodyOnPartition(foreign, "acme/other"));
      assertProblem(Api.step(BILLING, other, "stage_building"), 403, "acme/billing");

      // three approvers at once, through the app, decided on the second instance
      ExecutorService pool = Executors.newFixedThreadPool(3);
      CyclicBarrier start = new CyclicBarrier(3);
      List<Future<Integer>> answers = new ArrayList<>();
      for (long user : new long[] {1001, 1002, 1003}) {
        answers.add(
            pool.submit(
                () -> {
                  start.await();
                  return Api.approve(id, user).statusCode();
                }));
      }
      for (Future<Integer> a : answers) {
        assertThat(a.get()).isEqualTo(200);
      }
      pool.shutdown();
      assertThat(log.types(id))
          .containsExactly(
              "release.created.v1",
              "release.status-changed.v1",
              "release.status-changed.v1",
              "release.status-changed.v1",
              "release.approval-granted.v1",
              "release.approval-granted.v1",
              "release.approval-granted.v1",
              "release.quorum-reached.v1");

      // the second instance leaves: the app owns everything again and continues the sequence
      second.onStop(null);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> app.isReady() && app.ownedPartitions().size() == config.topics().partitions());
      Api.stepOk(BILLING, id, "deploying");
      List<EventEnvelope> events = log.events(id);
      assertThat(events)
          .extracting(EventEnvelope::sequence)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    } finally {
      second.onStop(null);
    }
  }

  private Map<String, Object> bodyOnPartition(int partition) {
    return bodyOnPartition(partition, BILLING_REPO);
  }

  /** A create request whose release id falls on {@code partition}. */
  private Map<String, Object> bodyOnPartition(int partition, String repository) {
    while (true) {
      Map<String, Object> body = Api.createBody(Api.newService(), repository);
      String id =
          ReleaseSpec.releaseId(
              (String) body.get("service"),
              (String) body.get("tag"),
              (String) body.get("github_run_id"));
      if (Partitioning.partitionOf(id, config.topics().partitions()) == partition) {
        return body;
      }
    }
  }
}
