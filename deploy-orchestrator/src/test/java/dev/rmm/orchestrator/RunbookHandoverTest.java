package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.TestSshServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole orchestrators (their log thread, leases, runbook workers and SSH runner) handing a rollback
 * runbook over, on a real broker and a real SSH server (issue 14, fault 6). release-api is stood in
 * for by {@link WriterStandIn}, which decides the orchestrators' commands with the domain's own
 * decider and appends the events to the real log. The lease is short (2 s, so a new owner waits 4
 * s) to keep the tests short; the rules are those of the 20 s default.
 */
class RunbookHandoverTest {

  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration TAKE_OVER_WAIT = LEASE.multipliedBy(2);
  private static final String KEY_VARIABLE = "TEST_SSH_KEY";
  private static TestSshServer ssh;

  @RegisterExtension static final OrchestratorBench.Broker BROKER = new OrchestratorBench.Broker();

  @RegisterExtension
  final OrchestratorBench bench =
      new OrchestratorBench(BROKER, "handover")
          .withEventPartitions(2)
          .with("rmm.deploy.runbook-lease", LEASE.toMillis() + "ms");

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    ssh = TestSshServer.start();
  }

  @AfterAll
  static void stop() {
    ssh.close();
  }

  /**
   * A slow step on each partition; a second orchestrator joins and one partition moves to it. The
   * old owner stops the step of the moved runbook on the host (the other runbook goes on), and the
   * new owner declares the moved runbook interrupted only after that step ended on the host and
   * past its wait, counted from the old owner's last step record; every step ran at most once.
   */
  @Test
  void givenSlowStepsOnBothPartitions_whenASecondOrchestratorJoins_thenItDeclaresOnlyAfterTheStop()
      throws Exception {
    String billing = releaseOn(0, "billing");
    String ledger = releaseOn(1, "ledger");
    orchestrator(); // A
    await().atMost(Duration.ofSeconds(60)).until(() -> slowStepRuns("billing"));
    await().atMost(Duration.ofSeconds(60)).until(() -> slowStepRuns("ledger"));

    orchestrator(); // B joins the group: one of the two partitions moves to it

    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> finish(billing).isPresent() || finish(ledger).isPresent());
    String moved = finish(billing).isPresent() ? billing : ledger;
    String kept = moved.equals(billing) ? ledger : billing;
    String movedService = moved.equals(billing) ? "billing" : "ledger";
    String keptService = moved.equals(billing) ? "ledger" : "billing";
    assertThat(slowStepRuns(keptService))
        .as("the runbook on the partition that stayed goes on")
        .isTrue();
    assertThat(finish(kept)).isEmpty();

    List<EventEnvelope> log = bench.log(moved);
    EventEnvelope startedBy = only(log, ReleaseEvent.RunbookStarted.class);
    EventEnvelope end = finish(moved).orElseThrow();
    ReleaseEvent.RunbookFinished f = (ReleaseEvent.RunbookFinished) end.data();
    assertThat(f.failedStep()).isEqualTo("interrupted");
    assertThat(end.actor().id())
        .as("declared by the new owner")
        .isNotEqualTo(startedBy.actor().id());
    EventEnvelope stoppedStep = stepRecord(log, "up");
    assertThat(stoppedStep.actor().id()).isEqualTo(startedBy.actor().id());
    assertThat(((ReleaseEvent.RunbookStep) stoppedStep.data()).exitCode()).isEqualTo(-1);

    TestSshServer.Run slow = slowRun(movedService);
    assertThat(slow.ended())
        .as(
            "the old owner's step had ended on the host before the runbook was declared interrupted")
        .isNotNull()
        .isBeforeOrEqualTo(end.occurredAt());
    assertThat(Duration.between(stoppedStep.occurredAt(), end.occurredAt()))
        .as("the new owner waited past its wait from the old owner's last step record")
        .isGreaterThanOrEqualTo(TAKE_OVER_WAIT);
    assertThat(dir.resolve("done-" + movedService)).doesNotExist();
    assertThat(timesRun(movedService, "migrations")).isEqualTo(1);
    assertThat(timesRun(movedService, "checkout")).isEqualTo(1);
    assertThat(timesRun(movedService, "up")).isEqualTo(1);
  }

  /**
   * The old owner (here a ghost: it started the runbook and then went quiet) records a step after
   * the new owner got the partition, as an owner does whose step result reached the log late. The
   * new owner's wait starts again from that record, and it then declares the runbook interrupted
   * with the step counted.
   */
  @Test
  void
      givenAStepRecordedAfterTheNewOwnerGotThePartition_thenItWaitsPastThatRecordBeforeDeclaring() {
    String id = releaseOn(0, "billing");
    Actor ghost = new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-ghost", "ghost");
    String runId = "rb-" + UUID.randomUUID();
    bench
        .writer()
        .decide(id, new ReleaseCommand.StartRunbook(id, runId, "127.0.0.1:22", ghost), "c-1");

    orchestrator();
    await().atMost(Duration.ofSeconds(60)).until(this::partitionZeroAssigned);
    await() // the new owner waits after it got the partition
        .during(TAKE_OVER_WAIT.minusSeconds(1))
        .atMost(TAKE_OVER_WAIT.plusSeconds(5))
        .until(() -> finish(id).isEmpty());

    bench
        .writer()
        .decide(
            id,
            new ReleaseCommand.RecordRunbookStep(
                id, runId, "migrations", "./migrate down v1", 0, 1200, "ok", true, ghost),
            "c-2");

    await() // a wait from the assignment alone would have ended within a second of the record
        .during(TAKE_OVER_WAIT.minusSeconds(1))
        .atMost(TAKE_OVER_WAIT.plusSeconds(5))
        .until(() -> finish(id).isEmpty());
    await().atMost(Duration.ofSeconds(30)).until(() -> finish(id).isPresent());
    ReleaseEvent.RunbookFinished f = (ReleaseEvent.RunbookFinished) finish(id).get().data();
    assertThat(f.failedStep()).isEqualTo("interrupted");
    assertThat(f.detail()).contains("after 1 recorded steps");
  }

  /**
   * A graceful stop (SIGTERM, a rolling restart) during a slow step: the step is stopped on the
   * host, recorded as interrupted by the shutdown with its output tail, and the runbook ended, all
   * before the instance leaves the group; the next owner finds it ended and acts on nothing.
   */
  @Test
  void givenASlowStep_whenTheOrchestratorShutsDown_thenTheStepIsRecordedAndTheRunbookEnded()
      throws Exception {
    String id = releaseOn(0, "billing");
    Orchestrator a = orchestrator();
    await().atMost(Duration.ofSeconds(60)).until(() -> slowStepRuns("billing"));

    bench.stop(a);

    List<EventEnvelope> log = bench.log(id);
    EventEnvelope startedBy = only(log, ReleaseEvent.RunbookStarted.class);
    EventEnvelope up = stepRecord(log, "up");
    ReleaseEvent.RunbookStep step = (ReleaseEvent.RunbookStep) up.data();
    assertThat(step.ok()).isFalse();
    assertThat(step.exitCode()).as("unknown").isEqualTo(-1);
    assertThat(step.outputTail())
        .startsWith("up billing began")
        .contains("interrupted by the shutdown of " + startedBy.actor().id())
        .contains("exit code unknown");
    EventEnvelope end = finish(id).orElseThrow();
    ReleaseEvent.RunbookFinished f = (ReleaseEvent.RunbookFinished) end.data();
    assertThat(end.actor().id()).isEqualTo(startedBy.actor().id());
    assertThat(f.failedStep()).isEqualTo("interrupted");
    assertThat(f.detail()).contains("shut down during step up").contains("by hand");
    assertThat(slowRun("billing").ended())
        .as("the step had ended on the host before its runbook was ended")
        .isNotNull()
        .isBeforeOrEqualTo(end.occurredAt());
    await().atMost(Duration.ofSeconds(15)).until(() -> !slowStepRuns("billing"));
    assertThat(dir.resolve("done-billing")).doesNotExist();

    int before = bench.log(id).size();
    orchestrator(); // the next owner
    await().atMost(Duration.ofSeconds(60)).until(this::partitionZeroAssigned);
    await()
        .during(TAKE_OVER_WAIT.plusSeconds(1))
        .atMost(TAKE_OVER_WAIT.plusSeconds(5))
        .until(() -> bench.log(id).size() == before);
    assertThat(timesRun("billing", "up")).isEqualTo(1);
  }

  /**
   * A graceful stop while the runbook waits before its health check (its steps all passed): nothing
   * runs on the host, so the runbook is ended at once, saying before which step, rather than after
   * the wait or by the next owner.
   */
  @Test
  void givenARunbookWaitingBeforeItsHealthCheck_whenTheOrchestratorShutsDown_thenItIsEndedAtOnce()
      throws Exception {
    String id = releaseOn(0, "audit");
    Orchestrator a = orchestrator();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                bench.log(id).stream()
                    .anyMatch(
                        e ->
                            e.data() instanceof ReleaseEvent.RunbookStep s
                                && s.step().equals("up")));

    bench.stop(a);

    ReleaseEvent.RunbookFinished f = (ReleaseEvent.RunbookFinished) finish(id).orElseThrow().data();
    assertThat(f.failedStep()).isEqualTo("interrupted");
    assertThat(f.detail()).contains("shut down before step health (nothing of it ran)");
    assertThat(ssh.commands()).noneMatch(c -> c.contains("health audit " + bench.run));
  }

  /** A release of {@code service} in production_rollback to v1, on the partition. */
  private String releaseOn(int partition, String service) {
    String id = "rel-" + service + "-" + bench.run;
    bench
        .writer()
        .seed(
            id,
            partition,
            OrchestratorBench.created(service, "acme/" + service, "v2", List.of()),
            new ReleaseEvent.RollbackRequested(1, "Ann", "v1"));
    return id;
  }

  /** An orchestrator whose services' runbooks have a slow {@code up} step on the test server. */
  private Orchestrator orchestrator() {
    return bench.orchestrator(
        new DeployFile(
            DeployFile.parse(deployFile()),
            v -> KEY_VARIABLE.equals(v) ? ssh.clientPrivateKey() : null));
  }

  /**
   * billing and ledger: a slow {@code up} step, no health check; audit: quick steps, then a long
   * wait before its health check.
   */
  private String deployFile() {
    String address = ssh.address();
    StringBuilder services = new StringBuilder();
    for (String service : List.of("billing", "ledger", "audit")) {
      if (services.length() > 0) {
        services.append(',');
      }
      boolean slow = !service.equals("audit");
      String up =
          slow
              ? "echo up "
                  + service
                  + " began; "
                  + nap(service)
                  + "; touch "
                  + dir.resolve("done-" + service)
              : "echo up " + service + " " + bench.run;
      String health = slow ? "" : "echo health " + service + " " + bench.run;
      services.append(
          String.format(
              "\"%s\": {\"ssh\": {\"hosts\": [\"%s\"], \"user\": \"deploy\","
                  + " \"private_key_variable\": \"%s\", \"host_keys\": {\"%s\": \"%s\"},"
                  + " \"workdir\": \"/tmp\", \"step_timeout_seconds\": 600,"
                  + " \"health_first_wait_seconds\": 600, \"steps\": {"
                  + "\"migrations\": \"echo migrations %s %s\", \"checkout\": \"echo checkout %s"
                  + " %s\", \"up\": \"%s\", \"health\": \"%s\"}}}",
              service,
              address,
              KEY_VARIABLE,
              address,
              ssh.hostKeyLine(),
              service,
              bench.run,
              service,
              bench.run,
              up,
              health));
    }
    return "{\"services\": {" + services + "}}";
  }

  /** The slow part of a service's {@code up} step: a sleep no other test runs. */
  private String nap(String service) {
    return "sleep 600." + bench.run + (service.equals("billing") ? "1" : "2");
  }

  private boolean slowStepRuns(String service) {
    String nap = nap(service);
    return ProcessHandle.allProcesses()
        .anyMatch(
            p -> p.isAlive() && p.info().commandLine().map(l -> l.contains(nap)).orElse(false));
  }

  private TestSshServer.Run slowRun(String service) {
    String nap = nap(service);
    return ssh.runs().stream().filter(r -> r.command().contains(nap)).findFirst().orElseThrow();
  }

  /** How many times the step of the service (this test's) was run on the host. */
  private long timesRun(String service, String step) {
    String mark = step.equals("up") ? nap(service) : step + " " + service + " " + bench.run;
    return ssh.commands().stream().filter(c -> c.contains(mark)).count();
  }

  private boolean partitionZeroAssigned() throws Exception {
    return bench
        .admin()
        .describeConsumerGroups(List.of(Orchestrator.GROUP))
        .describedGroups()
        .get(Orchestrator.GROUP)
        .get(10, TimeUnit.SECONDS)
        .members()
        .stream()
        .anyMatch(
            m -> m.assignment().topicPartitions().contains(new TopicPartition(bench.events, 0)));
  }

  private Optional<EventEnvelope> finish(String releaseId) {
    return bench.log(releaseId).stream()
        .filter(e -> e.data() instanceof ReleaseEvent.RunbookFinished)
        .findFirst();
  }

  private static EventEnvelope only(List<EventEnvelope> log, Class<?> type) {
    List<EventEnvelope> found = log.stream().filter(e -> type.isInstance(e.data())).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private static EventEnvelope stepRecord(List<EventEnvelope> log, String step) {
    List<EventEnvelope> found =
        log.stream()
            .filter(e -> e.data() instanceof ReleaseEvent.RunbookStep s && s.step().equals(step))
            .toList();
    assertThat(found).as("records of step %s", step).hasSize(1);
    return found.get(0);
  }
}
