package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15 point 4: a break-glass request nobody confirms lapses after its window, and the
 * orchestrator's timer has {@code release.break-glass-expired.v1} recorded even when nobody touches
 * the release again (the alert, the card and the metric follow from that event); a request
 * confirmed in time never is. A whole orchestrator on a real broker ({@link OrchestratorBench});
 * release-api is stood in for by {@link WriterStandIn}, which decides with the domain's own decider
 * and its clock. The requests are seeded with windows of seconds.
 */
class BreakGlassExpiryTest {

  private static final long OLGA = 9;
  private static final long PETR = 10;
  private static final String REPOSITORY = "acme/vault";
  private static final String WORKFLOW = "on-approve-manual-testing.yml";

  @RegisterExtension static final OrchestratorBench.Broker BROKER = new OrchestratorBench.Broker();

  @RegisterExtension
  final OrchestratorBench bench = new OrchestratorBench(BROKER, "bg-expiry").withFakeGitHub();

  @BeforeEach
  void github() {
    FakeGitHub.reset();
    FakeGitHub.addWorkflow(REPOSITORY, WORKFLOW);
  }

  @Test
  void givenARequestNobodyConfirms_whenItsWindowEnds_thenItsExpiryIsRecordedOnceWithoutACommand() {
    String id = releaseInManualTesting("v7.2.0");
    Instant expires = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
    bench
        .writer()
        .seed(
            id,
            0,
            new ReleaseEvent.BreakGlassRequested(
                OLGA, "Olga", "hotfix", "v7.2.0", "abc1234", expires, null));
    bench.orchestrator();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> bench.has(id, ReleaseEvent.BreakGlassExpired.class));
    ReleaseEvent.BreakGlassExpired expired = bench.only(id, ReleaseEvent.BreakGlassExpired.class);
    assertThat(expired.requestedBy()).isEqualTo(OLGA);
    assertThat(expired.expiresAt()).isEqualTo(expires);
    assertThat(
            bench.log(id).stream()
                .filter(e -> e.data() instanceof ReleaseEvent.BreakGlassExpired)
                .map(EventEnvelope::occurredAt)
                .findFirst()
                .orElseThrow())
        .isAfterOrEqualTo(expires);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                bench.types(id).stream().filter(ReleaseEvent.BreakGlassExpired.TYPE::equals).count()
                    == 1);
    assertThat(FakeGitHub.requests()).isEmpty();
  }

  @Test
  void givenARequestConfirmedInTime_whenItsWindowEnds_thenNoExpiryIsRecorded() {
    String id = releaseInManualTesting("v7.3.0");
    Instant expires = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
    bench
        .writer()
        .seed(
            id,
            0,
            new ReleaseEvent.BreakGlassRequested(
                OLGA, "Olga", "hotfix", "v7.3.0", "abc1234", expires, null),
            new ReleaseEvent.BreakGlassConfirmed(
                OLGA, "Olga", PETR, "Petr", "hotfix", "v7.3.0", "abc1234", null),
            new ReleaseEvent.ApprovalQuorumReached(List.of(OLGA, PETR)));
    bench.orchestrator();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> bench.has(id, ReleaseEvent.WorkflowDispatched.class));
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .until(() -> !bench.has(id, ReleaseEvent.BreakGlassExpired.class));
  }

  /** A release of vault in manual testing; its admins are Olga and Petr. */
  private String releaseInManualTesting(String tag) {
    return bench.releaseInManualTesting("vault", REPOSITORY, tag, List.of(OLGA, PETR));
  }
}
