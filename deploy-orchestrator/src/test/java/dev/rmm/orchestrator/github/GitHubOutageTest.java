package dev.rmm.orchestrator.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An outage of GitHub longer than {@code maxAttempts} retries (found by the chaos harness's GitHub
 * outage, docs/reliability.md F12): the dispatch and the lookup of its run go on for {@link
 * GitHubClient.Retries#retryFor()} (counted in waits), so the release deploys once GitHub is back,
 * still exactly once; past it they end as before. Waits are recorded, not slept.
 */
class GitHubOutageTest {

  private static final GitHubTarget TARGET =
      new GitHubTarget(
          "acme/billing",
          "deploy-production.yml",
          "refs/tags/v2.0.0",
          Credentials.of(FakeGitHub.TOKEN));
  private static final String ID = "d-0ut4";
  private static final Map<String, String> INPUTS =
      Map.of(
          "release_id", "r-9", "release_tag", "v2.0.0", "commit_sha", "9a8b7c6", "dispatch_id", ID);

  /** Another service's dispatch through the same client. */
  private static final GitHubTarget SEARCH =
      new GitHubTarget(
          "acme/search",
          "deploy-production.yml",
          "refs/tags/v5.0.0",
          Credentials.of(FakeGitHub.TOKEN));

  private static final Map<String, String> SEARCH_INPUTS =
      Map.of(
          "release_id",
          "r-10",
          "release_tag",
          "v5.0.0",
          "commit_sha",
          "1b2c3d4",
          "dispatch_id",
          "d-0th3r");

  /** Four attempts of their own would give up within seconds. */
  private static final GitHubClient.Retries RETRIES =
      new GitHubClient.Retries(
          4,
          Duration.ofMillis(500),
          Duration.ofSeconds(4),
          Duration.ofSeconds(6),
          Duration.ofSeconds(60));

  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private String api;

  @BeforeEach
  void setUp() {
    api = FakeGitHub.start();
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("acme/billing", "deploy-production.yml");
  }

  private GitHubClient client(GitHubClient.Retries retries) {
    return new GitHubClient(
        api, "rmm-deploy-orchestrator", Duration.ofSeconds(10), retries, waits::add);
  }

  private static Duration total(List<Duration> waits) {
    return waits.stream().reduce(Duration.ZERO, Duration::plus);
  }

  @Test
  void givenDispatchesRateLimitedForHalfAMinute_thenItKeepsWaitingAsAskedAndDispatchesOnce() {
    for (int i = 0; i < 10; i++) {
      FakeGitHub.failNextDispatch(429, Map.of("Retry-After", "3"), "{\"message\":\"limited\"}");
    }

    GitHubClient.Outcome o = client(RETRIES).dispatch(TARGET, INPUTS);

    assertThat(o.dispatched()).isTrue();
    assertThat(o.attempts()).isEqualTo(11);
    assertThat(waits).hasSize(10).allMatch(w -> w.equals(Duration.ofSeconds(3)));
    assertThat(FakeGitHub.runTitles()).containsExactly("Deploy v2.0.0 (" + ID + ")");
  }

  @Test
  void
      givenA502AfterTheRunWasCreated_whenEveryLookupFailsForAMinute_thenTheRunIsFoundNotSentAgain() {
    FakeGitHub.failNextDispatchAfterCreatingTheRun(502, "{\"message\":\"Server Error\"}");
    // (no dropped connections here: the HTTP client repeats a GET whose connection dropped, which
    // would use two scripted failures for one look)
    for (int i = 0; i < 15; i++) {
      FakeGitHub.failNextRunLookup(
          i % 2 == 0 ? 503 : 429,
          i % 2 == 0 ? Map.of() : Map.of("Retry-After", "2"),
          "{\"message\":\"Service Unavailable\"}");
    }

    GitHubClient.Outcome o = client(RETRIES).dispatch(TARGET, INPUTS);

    assertThat(o.dispatched()).isTrue();
    assertThat(total(waits)).isGreaterThan(Duration.ofSeconds(30)); // past 4 attempts' worth
    assertThat(FakeGitHub.runTitles()).hasSize(1);
    assertThat(FakeGitHub.dispatchesTaken()).hasSize(1);
  }

  @Test
  void givenLookupsFailingLongerThanRetryFor_thenTheDispatchEndsUnknownAndIsNeverSentTwice() {
    FakeGitHub.failNextDispatchAfterCreatingTheRun(502, "{\"message\":\"Server Error\"}");
    for (int i = 0; i < 100; i++) {
      FakeGitHub.failNextRunLookup(503, Map.of(), "{\"message\":\"Service Unavailable\"}");
    }

    GitHubClient.Outcome o = client(RETRIES).dispatch(TARGET, INPUTS);

    assertThat(o.dispatched()).isFalse();
    assertThat(o.detail()).contains("unknown whether dispatch " + ID + " reached GitHub");
    assertThat(total(waits)).isGreaterThanOrEqualTo(Duration.ofSeconds(60));
    assertThat(FakeGitHub.runTitles()).hasSize(1);
  }

  @Test
  void givenNoRetryFor_thenMaxAttemptsAloneBoundsTheRetriesAsBefore() {
    for (int i = 0; i < 10; i++) {
      FakeGitHub.failNextDispatch(503, Map.of(), "{\"message\":\"Service Unavailable\"}");
    }

    GitHubClient.Outcome o =
        client(
                new GitHubClient.Retries(
                    4, Duration.ofMillis(500), Duration.ofSeconds(4), Duration.ofSeconds(1)))
            .dispatch(TARGET, INPUTS);

    assertThat(o.dispatched()).isFalse();
    assertThat(o.attempts()).isEqualTo(4);
    assertThat(FakeGitHub.runTitles()).isEmpty();
  }

  @Test
  void givenADispatchRateLimited_whenAnotherServiceDispatchesMeanwhile_thenItWaitsOutGitHubsWait()
      throws InterruptedException {
    FakeGitHub.addWorkflow("acme/search", "deploy-production.yml");
    FakeGitHub.failNextDispatch(429, Map.of("Retry-After", "3"), "{\"message\":\"limited\"}");
    GitHubClient client = client(RETRIES);
    assertThat(client.dispatch(TARGET, INPUTS).dispatched()).isTrue(); // its own wait recorded
    assertThat(waits).containsExactly(Duration.ofSeconds(3));

    // another service's worker, a moment later: GitHub asked this client to wait 3 s
    Thread other = new Thread(() -> client.dispatch(SEARCH, SEARCH_INPUTS));
    other.start();
    other.join(10_000);

    assertThat(waits).hasSize(2);
    assertThat(waits.get(1)).isBetween(Duration.ofSeconds(2), Duration.ofMillis(3_100));
    assertThat(FakeGitHub.runTitles("acme/search", "deploy-production.yml")).hasSize(1);
  }

  @Test
  void givenLookupsAnsweringRetryAfterBetween503s_thenGitHubsWaitsDoNotSpendTheBackoff() {
    FakeGitHub.failNextDispatchAfterCreatingTheRun(502, "{\"message\":\"Server Error\"}");
    for (int i = 0; i < 6; i++) {
      FakeGitHub.failNextRunLookup(
          i % 2 == 0 ? 503 : 429,
          i % 2 == 0 ? Map.of() : Map.of("Retry-After", "2"),
          "{\"message\":\"Service Unavailable\"}");
    }

    assertThat(client(RETRIES).dispatch(TARGET, INPUTS).dispatched()).isTrue();

    // 503: the backoff (0.5 s, 1 s, 2 s), 429: GitHub's 2 s, which leaves the backoff as it was
    assertThat(waits.subList(0, 6))
        .containsExactly(
            Duration.ofMillis(500),
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(2),
            Duration.ofSeconds(2));
  }

  @Test
  void givenALookupInALongBackoff_whenAnotherServicesDispatchGoesThrough_thenItLooksAgainAtOnce()
      throws Exception {
    FakeGitHub.addWorkflow("acme/search", "deploy-production.yml");
    FakeGitHub.failNextDispatchAfterCreatingTheRun(502, "{\"message\":\"Server Error\"}");
    FakeGitHub.failNextRunLookup(503, Map.of(), "{\"message\":\"Service Unavailable\"}");
    // a backoff of two minutes after the failed lookup, in real time
    GitHubClient client =
        new GitHubClient(
            api,
            "rmm-deploy-orchestrator",
            Duration.ofSeconds(10),
            new GitHubClient.Retries(
                4,
                Duration.ofMinutes(2),
                Duration.ofMinutes(2),
                Duration.ofSeconds(6),
                Duration.ofSeconds(60)),
            GitHubClient.REAL_TIME);
    CompletableFuture<GitHubClient.Outcome> billing =
        CompletableFuture.supplyAsync(() -> client.dispatch(TARGET, INPUTS));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> FakeGitHub.requests().stream().anyMatch(r -> r.method().equals("GET")));

    // GitHub is back: another service's dispatch is accepted
    assertThat(client.dispatch(SEARCH, SEARCH_INPUTS).dispatched()).isTrue();

    // billing's lookup does not sleep out its two minutes: it looks again and finds its run
    GitHubClient.Outcome o = billing.get(30, TimeUnit.SECONDS);
    assertThat(o.dispatched()).isTrue();
    assertThat(FakeGitHub.runTitles("acme/billing", "deploy-production.yml")).hasSize(1);
  }
}
