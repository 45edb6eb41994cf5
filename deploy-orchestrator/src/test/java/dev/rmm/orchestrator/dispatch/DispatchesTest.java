package dev.rmm.orchestrator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.orchestrator.DeployFile;
import dev.rmm.orchestrator.InMemoryReleaseApi;
import dev.rmm.orchestrator.OrchestratorConfig;
import dev.rmm.orchestrator.github.GitHubClient;
import dev.rmm.orchestrator.github.GitHubTarget;
import dev.rmm.orchestrator.github.RunLookup;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The production dispatch's exactly-once rules with fakes, given / when / then: given the release's
 * events, when {@link Dispatches} acts on its state, then these calls reached GitHub and these
 * events were appended. release-api is {@link InMemoryReleaseApi} (the domain's own decider) and
 * GitHub an in-memory {@link Workflows}; no broker, no HTTP.
 */
class DispatchesTest {

  private static final String RELEASE = "rel-billing-v1";
  private static final ReleaseSpec SPEC =
      new ReleaseSpec(
          "billing",
          "v1.4.0",
          "octocat",
          "1",
          "https://x/1",
          "refs/tags/v1.4.0",
          "acme/billing",
          "abc1234");

  private final InMemoryReleaseApi releaseApi = new InMemoryReleaseApi();
  private final GitHubInMemory github = new GitHubInMemory();
  private final AtomicReference<RetryVerdict> retryVerdict =
      new AtomicReference<>(new RetryVerdict.Go());
  private boolean mayDispatch = true;

  /** GitHub as {@link Dispatches} asks it: the dispatches it took, and scripted answers. */
  private static final class GitHubInMemory implements Workflows {
    final List<Map<String, String>> dispatched = new ArrayList<>();
    final List<String> lookedFor = new ArrayList<>();
    GitHubClient.Outcome answer = new GitHubClient.Outcome(true, 204, null, 1);
    RunLookup runs = new RunLookup.None();

    @Override
    public GitHubClient.Outcome dispatch(GitHubTarget target, Map<String, String> inputs) {
      dispatched.add(inputs);
      return answer;
    }

    @Override
    public RunLookup settle(GitHubTarget target, String marker) {
      lookedFor.add(marker);
      return runs;
    }
  }

  private Dispatches dispatches() {
    OrchestratorConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(OrchestratorConfig.class)
            .withConverter(Duration.class, 200, new DurationConverter())
            .withSources(
                new PropertiesConfigSource(Map.of("rmm.github.token", "ghp_unit"), "test", 400))
            .build()
            .getConfigMapping(OrchestratorConfig.class);
    ServiceTargets targets =
        new ServiceTargets(
            config, new DeployFile(DeployFile.parse("{\"services\": {}}"), v -> null));
    return new Dispatches(targets, github, s -> mayDispatch, s -> retryVerdict.get());
  }

  private void givenApproved() {
    releaseApi.given(
        RELEASE,
        new ReleaseEvent.ReleaseCreated(
            SPEC,
            new ApprovalPolicy(
                List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, List.of(2L))),
        new ReleaseEvent.ApprovalQuorumReached(List.of(1L)));
  }

  private void givenStartedWithoutOutcome(String dispatchId) {
    givenApproved();
    releaseApi.given(
        RELEASE,
        new ReleaseEvent.DispatchStarted(
            dispatchId, "acme/billing", "on-approve-manual-testing.yml", "refs/tags/v1.4.0"));
  }

  private void whenActedOn(Dispatches d) {
    assertThat(d.due(releaseApi.state(RELEASE))).as("due before acting").isTrue();
    d.act(releaseApi.state(RELEASE), releaseApi);
  }

  @Test
  void givenAnApprovedRelease_whenActedOn_thenItIsClaimedDispatchedOnceAndRecorded() {
    givenApproved();
    Dispatches d = dispatches();

    whenActedOn(d);

    ReleaseEvent.DispatchStarted started =
        releaseApi.ofType(RELEASE, ReleaseEvent.DispatchStarted.class).get(0);
    assertThat(started.repository()).isEqualTo("acme/billing");
    assertThat(started.ref()).isEqualTo("refs/tags/v1.4.0");
    assertThat(github.dispatched)
        .singleElement()
        .satisfies(
            inputs -> {
              assertThat(inputs).containsEntry("dispatch_id", started.dispatchId());
              assertThat(inputs).containsEntry("release_id", RELEASE);
              assertThat(inputs).containsEntry("commit_sha", "abc1234");
            });
    assertThat(releaseApi.ofType(RELEASE, ReleaseEvent.WorkflowDispatched.class))
        .containsExactly(new ReleaseEvent.WorkflowDispatched(started.dispatchId(), 204, 1));
    assertThat(d.due(releaseApi.state(RELEASE))).isFalse();
  }

  @Test
  void givenGitHubRefusesTheDispatch_whenActedOn_thenTheFailureIsRecordedWithGitHubsMessage() {
    givenApproved();
    github.answer = new GitHubClient.Outcome(false, 404, "Not Found", 1);

    whenActedOn(dispatches());

    assertThat(releaseApi.ofType(RELEASE, ReleaseEvent.DispatchFailed.class))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.httpStatus()).isEqualTo(404);
              assertThat(f.detail()).isEqualTo("Not Found");
            });
    assertThat(releaseApi.state(RELEASE).dispatch().failed()).isTrue();
  }

  @Test
  void givenANewerReleaseWasApproved_whenActedOn_thenNothingIsClaimedOrSent() {
    givenApproved();
    mayDispatch = false;

    dispatches().act(releaseApi.state(RELEASE), releaseApi);

    assertThat(releaseApi.sent()).isEmpty();
    assertThat(github.dispatched).isEmpty();
  }

  @Test
  void
      givenADispatchStartedWithoutOutcome_whenGitHubListsItsRun_thenTheRunIsRecordedNotSentAgain() {
    givenStartedWithoutOutcome("d-1");
    github.runs = new RunLookup.Found(42);

    whenActedOn(dispatches());

    assertThat(github.lookedFor).containsExactly("d-1");
    assertThat(github.dispatched).isEmpty();
    assertThat(releaseApi.ofType(RELEASE, ReleaseEvent.WorkflowDispatched.class))
        .containsExactly(new ReleaseEvent.WorkflowDispatched("d-1", 204, 0));
  }

  @Test
  void givenADispatchStartedWithoutOutcome_whenGitHubListsNoRun_thenItIsSentAgainWithTheSameId() {
    givenStartedWithoutOutcome("d-2");

    whenActedOn(dispatches());

    assertThat(github.dispatched)
        .singleElement()
        .satisfies(inputs -> assertThat(inputs).containsEntry("dispatch_id", "d-2"));
    assertThat(releaseApi.ofType(RELEASE, ReleaseEvent.DispatchStarted.class)).hasSize(1);
    assertThat(releaseApi.ofType(RELEASE, ReleaseEvent.WorkflowDispatched.class))
        .extracting(ReleaseEvent.WorkflowDispatched::dispatchId)
        .containsExactly("d-2");
  }

  @Test
  void givenADispatchStartedWithoutOutcome_whenGitHubCannotBeAsked_thenItIsRecordedAsUnknown() {
    givenStartedWithoutOutcome("d-3");
    github.runs = new RunLookup.Unknown(503, "Service Unavailable", Optional.empty());

    whenActedOn(dispatches());

    assertThat(github.dispatched).as("never risk a second production workflow").isEmpty();
    assertThat(releaseApi.ofType(RELEASE, ReleaseEvent.DispatchFailed.class))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.dispatchId()).isEqualTo("d-3");
              assertThat(f.httpStatus()).isEqualTo(503);
              assertThat(f.detail()).startsWith("unknown whether dispatch d-3 reached GitHub");
            });
  }

  @Test
  void
      givenAFailedDispatchAnAdminRetried_whenTheSupersedingGuardRefuses_thenTheRetryIsRecordedFailed() {
    givenStartedWithoutOutcome("d-4");
    releaseApi.given(
        RELEASE,
        new ReleaseEvent.DispatchFailed("d-4", 502, "Bad Gateway", 6),
        new ReleaseEvent.DispatchRetryRequested(2, "Bob", "d-4", null));
    retryVerdict.set(new RetryVerdict.Refuse("not retried: v1.5.0 of billing was approved since"));

    whenActedOn(dispatches());

    assertThat(github.lookedFor).isEmpty();
    assertThat(github.dispatched).isEmpty();
    assertThat(releaseApi.ofType(RELEASE, ReleaseEvent.DispatchFailed.class))
        .extracting(ReleaseEvent.DispatchFailed::detail)
        .containsExactly("Bad Gateway", "not retried: v1.5.0 of billing was approved since");
  }

  @Test
  void givenAnApprovedRelease_whenReleaseApiDoesNotAnswerTheClaim_thenGitHubIsNotCalled() {
    givenApproved();
    releaseApi.silent();
    Dispatches d = dispatches();

    d.act(releaseApi.state(RELEASE), releaseApi);

    assertThat(releaseApi.sent()).singleElement().isInstanceOf(ReleaseCommand.StartDispatch.class);
    assertThat(github.dispatched).isEmpty();
    assertThat(d.due(releaseApi.state(RELEASE))).as("looked at again later").isTrue();
  }
}
