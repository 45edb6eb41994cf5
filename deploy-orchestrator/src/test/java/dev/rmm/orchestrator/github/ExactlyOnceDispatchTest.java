package dev.rmm.orchestrator.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One production workflow per dispatch id whatever GitHub answers: a failed run lookup (404, 5xx,
 * 429, a dropped connection) never counts as "no run", and a 5xx after GitHub created the run is
 * settled by looking before sending again. Against {@link FakeGitHub}, which creates one run per
 * dispatch it takes; waits are recorded, not slept.
 */
class ExactlyOnceDispatchTest {

  private static final GitHubTarget TARGET =
      new GitHubTarget(
          "acme/billing",
          "deploy-production.yml",
          "refs/tags/v1.4.0",
          Credentials.of(FakeGitHub.TOKEN));
  private static final String ID = "d-7f3a";
  private static final Map<String, String> INPUTS =
      Map.of(
          "release_id", "r-1", "release_tag", "v1.4.0", "commit_sha", "3f2c1a9", "dispatch_id", ID);

  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private GitHubClient github;

  @BeforeEach
  void setUp() {
    String api = FakeGitHub.start();
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("acme/billing", "deploy-production.yml");
    github =
        new GitHubClient(
            api,
            "rmm-deploy-orchestrator",
            Duration.ofSeconds(10),
            new GitHubClient.Retries(
                4, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(6)),
            waits::add);
  }

  /** The orchestrator was killed after GitHub took the dispatch, before it recorded the outcome. */
  private void dispatchedBeforeTheRestart() {
    assertThat(github.dispatch(TARGET, INPUTS).dispatched()).isTrue();
    assertThat(FakeGitHub.runTitles()).hasSize(1);
  }

  private static void lookupsFail(int times, int status, Map<String, String> headers) {
    for (int i = 0; i < times; i++) {
      FakeGitHub.failNextRunLookup(status, headers, "{\"message\":\"scripted " + status + "\"}");
    }
  }

  @Test
  void givenADispatchedRun_whenTheLookupAnswers404Once_thenTheRunIsFoundNotDispatchedAgain() {
    dispatchedBeforeTheRestart();
    lookupsFail(1, 404, Map.of());

    assertThat(github.settle(TARGET, ID)).isInstanceOf(RunLookup.Found.class);

    assertThat(FakeGitHub.runTitles()).hasSize(1);
    assertThat(FakeGitHub.dispatches()).hasSize(1);
  }

  @Test
  void givenADispatchedRun_whenTheLookupKeepsAnswering404_thenItIsUnknownAndNeverDispatchedAgain() {
    dispatchedBeforeTheRestart();
    lookupsFail(100, 404, Map.of());

    RunLookup settled = github.settle(TARGET, ID);

    assertThat(settled).isInstanceOf(RunLookup.Unknown.class);
    RunLookup.Unknown u = (RunLookup.Unknown) settled;
    assertThat(u.status()).isEqualTo(404);
    assertThat(GitHubClient.unknown(TARGET, ID, u))
        .contains("unknown whether dispatch " + ID + " reached GitHub")
        .contains("start the workflow by hand");
    assertThat(waits).isNotEmpty().allMatch(w -> w.compareTo(Duration.ofSeconds(1)) <= 0);
    assertThat(FakeGitHub.runTitles()).hasSize(1);
    assertThat(FakeGitHub.dispatches()).hasSize(1);
  }

  @Test
  void givenNoRun_whenTheLookupAnswers5xxThenOk_thenItIsDispatchedOnceAfterTheDefinitiveAnswer() {
    lookupsFail(3, 502, Map.of());

    assertThat(github.settle(TARGET, ID)).isEqualTo(new RunLookup.None());
    assertThat(github.dispatch(TARGET, INPUTS).dispatched()).isTrue();

    assertThat(FakeGitHub.runTitles()).containsExactly("Deploy v1.4.0 (" + ID + ")");
  }

  @Test
  void givenADispatchedRun_whenTheLookupIsRateLimited_thenItWaitsRetryAfterAndFindsTheRun() {
    dispatchedBeforeTheRestart();
    lookupsFail(1, 429, Map.of("Retry-After", "9"));
    lookupsFail(1, 403, Map.of("x-ratelimit-remaining", "0", "Retry-After", "4"));

    assertThat(github.settle(TARGET, ID)).isInstanceOf(RunLookup.Found.class);

    assertThat(waits).startsWith(Duration.ofSeconds(9), Duration.ofSeconds(4));
    assertThat(FakeGitHub.runTitles()).hasSize(1);
  }

  @Test
  void givenADispatchedRun_whenTheLookupConnectionDrops_thenItIsRetriedAndTheRunFound() {
    dispatchedBeforeTheRestart();
    lookupsFail(2, FakeGitHub.DROP, Map.of());

    assertThat(github.settle(TARGET, ID)).isInstanceOf(RunLookup.Found.class);

    assertThat(FakeGitHub.runTitles()).hasSize(1);
  }

  @Test
  void givenAPostAnswered502AfterGitHubCreatedTheRun_thenItIsNotSentAgain() {
    FakeGitHub.failNextDispatchAfterCreatingTheRun(502, "{\"message\":\"Bad Gateway\"}");

    GitHubClient.Outcome o = github.dispatch(TARGET, INPUTS);

    assertThat(o.dispatched()).isTrue();
    assertThat(FakeGitHub.dispatchesArrived()).isEqualTo(1);
    assertThat(FakeGitHub.runTitles()).containsExactly("Deploy v1.4.0 (" + ID + ")");
  }

  @Test
  void givenAPostWhoseAnswerIsLostAfterGitHubCreatedTheRun_thenItIsNotSentAgain() {
    FakeGitHub.failNextDispatchAfterCreatingTheRun(FakeGitHub.DROP, "");

    assertThat(github.dispatch(TARGET, INPUTS).dispatched()).isTrue();

    assertThat(FakeGitHub.dispatchesArrived()).isEqualTo(1);
    assertThat(FakeGitHub.runTitles()).hasSize(1);
  }

  @Test
  void givenAPostAnswered502WithoutARun_thenItIsSentAgainOnlyAfterGitHubListsNone() {
    FakeGitHub.failNextDispatch(502, Map.of(), "{\"message\":\"Bad Gateway\"}");

    assertThat(github.dispatch(TARGET, INPUTS).dispatched()).isTrue();

    assertThat(FakeGitHub.dispatchesArrived()).isEqualTo(2);
    assertThat(FakeGitHub.runTitles()).hasSize(1);
    List<String> order =
        FakeGitHub.requests().stream().map(r -> r.method() + " " + r.status()).toList();
    assertThat(order.get(0)).isEqualTo("POST 502");
    assertThat(order.subList(1, order.size() - 1)).isNotEmpty().allMatch(r -> r.equals("GET 200"));
    assertThat(order.get(order.size() - 1)).isEqualTo("POST 204");
  }

  @Test
  void givenAPostAnswered502AndLookupsThatKeepFailing_thenTheDispatchEndsUnknownNotSentTwice() {
    FakeGitHub.failNextDispatchAfterCreatingTheRun(502, "{\"message\":\"Bad Gateway\"}");
    lookupsFail(100, 500, Map.of());

    GitHubClient.Outcome o = github.dispatch(TARGET, INPUTS);

    assertThat(o.dispatched()).isFalse();
    assertThat(o.detail()).contains("unknown whether dispatch " + ID + " reached GitHub");
    assertThat(FakeGitHub.dispatchesArrived()).isEqualTo(1);
    assertThat(FakeGitHub.runTitles()).hasSize(1);
  }
}
