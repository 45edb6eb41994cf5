package dev.rmm.orchestrator.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.testsupport.FakeGitHub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dispatch call against a fake that checks requests the way GitHub does. */
class GitHubClientTest {

  private static final GitHubTarget TARGET =
      new GitHubTarget(
          "acme/billing",
          "deploy-production.yml",
          "refs/tags/v1.4.0",
          Credentials.of(FakeGitHub.TOKEN));
  private static final Map<String, String> INPUTS =
      Map.of(
          "release_id",
          "r-1",
          "release_tag",
          "v1.4.0",
          "commit_sha",
          "3f2c1a9",
          "dispatch_id",
          "d-1");

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
                4, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ZERO),
            waits::add);
  }

  @Test
  void givenAnApprovedRelease_thenOneDispatchWithGitHubsHeadersAndTheInputs() {
    GitHubClient.Outcome o = github.dispatch(TARGET, INPUTS);

    assertThat(o).isEqualTo(new GitHubClient.Outcome(true, 204, null, 1));
    FakeGitHub.Request r = FakeGitHub.dispatches().get(0);
    assertThat(r.path())
        .isEqualTo("/repos/acme/billing/actions/workflows/deploy-production.yml/dispatches");
    assertThat(r.headers())
        .containsEntry("Authorization", "Bearer " + FakeGitHub.TOKEN)
        .containsEntry("Accept", "application/vnd.github+json")
        .containsEntry("X-GitHub-Api-Version", "2022-11-28")
        .containsEntry("User-Agent", "rmm-deploy-orchestrator");
    assertThat(r.body().path("ref").asText()).isEqualTo("refs/tags/v1.4.0");
    assertThat(r.body().path("inputs").path("release_id").asText()).isEqualTo("r-1");
    assertThat(r.body().path("inputs").path("release_tag").asText()).isEqualTo("v1.4.0");
    assertThat(r.body().path("inputs").path("commit_sha").asText()).isEqualTo("3f2c1a9");
    assertThat(r.body().path("inputs").path("dispatch_id").asText()).isEqualTo("d-1");
    assertThat(github.findRun(TARGET, "d-1")).isInstanceOf(RunLookup.Found.class);
    assertThat(github.findRun(TARGET, "d-2")).isEqualTo(new RunLookup.None());
  }

  @Test
  void givenAGitHubApp_thenItsInstallationTokenIsBoughtOnceAndUsed() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    java.security.KeyPair pair = g.generateKeyPair();
    FakeGitHub.addApp("424242", 99, (java.security.interfaces.RSAPublicKey) pair.getPublic());
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    GitHubApp app = new GitHubApp(FakeGitHub.start(), "rmm-deploy-orchestrator", "424242", 99, pem);
    GitHubTarget viaApp =
        new GitHubTarget("acme/billing", "deploy-production.yml", "refs/tags/v1.4.0", app);

    assertThat(github.dispatch(viaApp, INPUTS).dispatched()).isTrue();
    assertThat(github.dispatch(viaApp, INPUTS).dispatched()).isTrue();

    assertThat(FakeGitHub.dispatches())
        .allMatch(r -> r.headers().get("Authorization").startsWith("Bearer ghs_"));
    assertThat(FakeGitHub.requests())
        .filteredOn(r -> r.path().equals("/app/installations/99/access_tokens"))
        .hasSize(1);
  }

  @Test
  void givenAnAppThatIsNotInstalled_thenTheDispatchFailsWithGitHubsAnswer() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(g.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    GitHubApp app = new GitHubApp(FakeGitHub.start(), "rmm-deploy-orchestrator", "1", 2, pem);

    GitHubClient.Outcome o =
        github.dispatch(
            new GitHubTarget("acme/billing", "deploy-production.yml", "main", app), INPUTS);

    assertThat(o.dispatched()).isFalse();
    assertThat(o.status()).isEqualTo(404);
    assertThat(o.detail()).contains("got no token for installation 2").contains("Not Found");
  }

  @Test
  void givenA500_thenItIsRetriedWithBackoffAndTheSecondAttemptLands() {
    FakeGitHub.failNextDispatch(500, Map.of(), "{\"message\":\"Server Error\"}");

    GitHubClient.Outcome o = github.dispatch(TARGET, INPUTS);

    assertThat(o.dispatched()).isTrue();
    assertThat(o.attempts()).isEqualTo(2);
    assertThat(waits).containsExactly(Duration.ofMillis(100));
    assertThat(FakeGitHub.dispatches()).hasSize(1);
  }

  @Test
  void givenA429WithRetryAfter_thenItWaitsThatLong() {
    FakeGitHub.failNextDispatch(
        429, Map.of("Retry-After", "7"), "{\"message\":\"API rate limit exceeded\"}");

    assertThat(github.dispatch(TARGET, INPUTS).dispatched()).isTrue();
    assertThat(waits).containsExactly(Duration.ofSeconds(7));
  }

  @Test
  void givenASecondaryRateLimit403_thenItIsRetriedNotFailed() {
    FakeGitHub.failNextDispatch(
        403,
        Map.of("x-ratelimit-remaining", "0", "Retry-After", "2"),
        "{\"message\":\"You have exceeded a secondary rate limit.\"}");

    assertThat(github.dispatch(TARGET, INPUTS).dispatched()).isTrue();
    assertThat(waits).containsExactly(Duration.ofSeconds(2));
  }

  @Test
  void givenAMissingWorkflow_thenA404WithGitHubsMessageAndNoRetry() {
    GitHubClient.Outcome o =
        github.dispatch(
            new GitHubTarget("acme/billing", "nope.yml", "main", Credentials.of(FakeGitHub.TOKEN)),
            INPUTS);

    assertThat(o).isEqualTo(new GitHubClient.Outcome(false, 404, "Not Found", 1));
    assertThat(waits).isEmpty();
  }

  @Test
  void givenABadToken_thenA401BadCredentialsAndNoRetry() {
    GitHubClient.Outcome o =
        github.dispatch(
            new GitHubTarget(
                "acme/billing", "deploy-production.yml", "main", Credentials.of("ghp_wrong")),
            INPUTS);

    assertThat(o).isEqualTo(new GitHubClient.Outcome(false, 401, "Bad credentials", 1));
  }

  @Test
  void givenGitHubKeepsFailing_thenItGivesUpAfterTheLastAttemptWithTheLastAnswer() {
    for (int i = 0; i < 4; i++) {
      FakeGitHub.failNextDispatch(502, Map.of(), "{\"message\":\"Bad Gateway\"}");
    }

    GitHubClient.Outcome o = github.dispatch(TARGET, INPUTS);

    assertThat(o.dispatched()).isFalse();
    assertThat(o.status()).isEqualTo(502);
    assertThat(o.attempts()).isEqualTo(4);
    assertThat(o.detail()).contains("gave up after 4 attempts").contains("Bad Gateway");
    assertThat(waits)
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
  }

  @Test
  void aRequestWithoutUserAgentIsRefusedByTheFakeAsByGitHub() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    // java.net.http sets its own User-Agent; an empty one is what a client without it sends
    var r =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(
                        FakeGitHub.start()
                            + "/repos/acme/billing/actions/workflows/deploy-production.yml/dispatches"))
                .header("Authorization", "Bearer " + FakeGitHub.TOKEN)
                .header("User-Agent", " ")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"ref\":\"main\"}"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("User-Agent");
  }
}
