package dev.rmm.orchestrator.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.ops.Redactor;
import dev.rmm.orchestrator.DeployFile;
import dev.rmm.orchestrator.InMemoryReleaseApi;
import dev.rmm.orchestrator.lease.PartitionLeases;
import dev.rmm.testsupport.TestSshServer;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rollback runbook's at-most-once rules with fakes, given / when / then: given the release's
 * events, when {@link Rollbacks} acts on its state, then these commands ran on the host and these
 * events were appended. release-api is {@link InMemoryReleaseApi} (the domain's own decider), the
 * host an in-process SSH server, the partition's lease a flag; no broker.
 */
class RollbacksTest {

  private static final String RELEASE = "rel-ledger-v2";
  private static final String KEY_VARIABLE = "RMM_SSH_KEY_UNIT";
  private static final PartitionLeases.Lease HELD = () -> true;
  private static final PartitionLeases.Lease LOST = () -> false;

  private final InMemoryReleaseApi releaseApi = new InMemoryReleaseApi();
  private final TestSshServer ssh = TestSshServer.start();

  @AfterEach
  void stopTheHost() {
    ssh.close();
  }

  private void givenRollbackRequested(String service) {
    releaseApi.given(
        RELEASE,
        new ReleaseEvent.ReleaseCreated(
            new ReleaseSpec(
                service,
                "v2",
                "octocat",
                "1",
                "https://x/1",
                "refs/tags/v2",
                "acme/" + service,
                "abc1234"),
            new ApprovalPolicy(
                List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, List.of(1L))),
        new ReleaseEvent.RollbackRequested(1, "Ann", "v1"));
  }

  /** ledger on the test host: its steps echo, {@code checkout} as given. */
  private Rollbacks rollbacks(String checkout) {
    String address = ssh.address();
    String file =
        String.format(
            "{\"services\": {\"ledger\": {\"ssh\": {\"hosts\": [\"%s\"], \"user\": \"deploy\","
                + " \"private_key_variable\": \"%s\", \"host_keys\": {\"%s\": \"%s\"},"
                + " \"workdir\": \"/tmp\", \"step_timeout_seconds\": 30,"
                + " \"health_first_wait_seconds\": 0, \"health_pause_seconds\": 0,"
                + " \"health_attempts\": 1, \"steps\": {\"migrations\": \"echo migrations"
                + " {tag}\", \"checkout\": \"%s\", \"up\": \"echo up {service}\", \"health\":"
                + " \"echo healthy {service}\"}}}}}",
            address, KEY_VARIABLE, address, ssh.hostKeyLine(), checkout);
    DeployFile deploy =
        new DeployFile(
            DeployFile.parse(file), v -> KEY_VARIABLE.equals(v) ? ssh.clientPrivateKey() : null);
    return new Rollbacks(
        new RunbookPlans(deploy),
        new SshRunner(Duration.ofSeconds(3)),
        new Redactor(List.of()),
        OpenTelemetry.noop().getTracer("test"));
  }

  /** The runbook's end, asserted to be the only one. */
  private ReleaseEvent.RunbookFinished finished() {
    List<ReleaseEvent.RunbookFinished> ends =
        releaseApi.ofType(RELEASE, ReleaseEvent.RunbookFinished.class);
    assertThat(ends).hasSize(1);
    return ends.get(0);
  }

  private int ranAt(String command) {
    List<String> ran = ssh.commands();
    for (int i = 0; i < ran.size(); i++) {
      if (ran.get(i).contains(command)) {
        return i;
      }
    }
    throw new AssertionError("'" + command + "' did not run on the host: " + ran);
  }

  @Test
  void givenARollbackRequested_whenActedOn_thenEveryStepRunsInOrderAndTheRunbookEndsDone() {
    givenRollbackRequested("ledger");
    Rollbacks r = rollbacks("echo checkout {tag}");
    assertThat(r.due(releaseApi.state(RELEASE))).isTrue();

    r.act(releaseApi.state(RELEASE), releaseApi, HELD);

    assertThat(ranAt("echo migrations v1")).isLessThan(ranAt("echo checkout v1"));
    assertThat(ranAt("echo checkout v1")).isLessThan(ranAt("echo up ledger"));
    assertThat(ranAt("echo up ledger")).isLessThan(ranAt("echo healthy ledger"));
    assertThat(releaseApi.ofType(RELEASE, ReleaseEvent.RunbookStep.class))
        .extracting(ReleaseEvent.RunbookStep::step, ReleaseEvent.RunbookStep::ok)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("migrations", true),
            org.assertj.core.groups.Tuple.tuple("checkout", true),
            org.assertj.core.groups.Tuple.tuple("up", true),
            org.assertj.core.groups.Tuple.tuple("health", true));
    assertThat(finished().ok()).isTrue();
    assertThat(releaseApi.state(RELEASE).status()).isEqualTo(ReleaseStatus.ROLLBACK_DONE);
    assertThat(r.due(releaseApi.state(RELEASE))).isFalse();
  }

  @Test
  void givenAStepFails_whenActedOn_thenTheRunbookStopsThereAndEndsFailedNamingTheStep() {
    givenRollbackRequested("ledger");

    rollbacks("echo no such tag; exit 3").act(releaseApi.state(RELEASE), releaseApi, HELD);

    assertThat(ssh.commands()).noneMatch(c -> c.contains("echo up ledger"));
    assertThat(releaseApi.ofType(RELEASE, ReleaseEvent.RunbookStep.class))
        .extracting(ReleaseEvent.RunbookStep::step)
        .containsExactly("migrations", "checkout");
    assertThat(releaseApi.ofType(RELEASE, ReleaseEvent.RunbookStep.class).get(1).exitCode())
        .isEqualTo(3);
    assertThat(finished().ok()).isFalse();
    assertThat(finished().failedStep()).isEqualTo("checkout");
    assertThat(releaseApi.state(RELEASE).status()).isEqualTo(ReleaseStatus.ROLLBACK_FAILED);
  }

  @Test
  void givenARunbookStartedThatNeverEnded_whenActedOn_thenNothingRunsAgainAndItEndsFailed() {
    givenRollbackRequested("ledger");
    releaseApi.given(RELEASE, new ReleaseEvent.RunbookStarted("rb-1", "db-1:22", "v1"));

    rollbacks("echo checkout {tag}").act(releaseApi.state(RELEASE), releaseApi, HELD);

    assertThat(ssh.commands()).isEmpty();
    ReleaseEvent.RunbookFinished f = finished();
    assertThat(f.runId()).isEqualTo("rb-1");
    assertThat(f.ok()).isFalse();
    assertThat(f.failedStep()).isEqualTo("interrupted");
    assertThat(f.detail()).contains("check db-1:22");
  }

  @Test
  void givenNoSshSettingsForTheService_whenActedOn_thenTheRunbookEndsFailedSayingWhatIsMissing() {
    givenRollbackRequested("billing");

    rollbacks("echo checkout {tag}").act(releaseApi.state(RELEASE), releaseApi, HELD);

    assertThat(ssh.commands()).isEmpty();
    ReleaseEvent.RunbookFinished f = finished();
    assertThat(f.failedStep()).isEqualTo("settings");
    assertThat(f.detail()).isEqualTo("no SSH settings for billing in the deploy file");
  }

  @Test
  void givenThePartitionIsNotHeld_whenActedOn_thenNothingIsClaimedOrRun() {
    givenRollbackRequested("ledger");

    rollbacks("echo checkout {tag}").act(releaseApi.state(RELEASE), releaseApi, LOST);

    assertThat(releaseApi.sent()).isEmpty();
    assertThat(ssh.commands()).isEmpty();
  }
}
