package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.local.ApiToken;
import dev.rmm.local.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * {@code deploy/compose.yaml} for real: builds the four images from their modules'
 * target/quarkus-app (built earlier in the reactor), starts the whole stack with the local {@code
 * docker compose}, waits until every service is ready, then walks one release to manual_testing
 * over HTTP and reads it back from the read model; Grafana has the dashboards and Prometheus
 * scrapes release-api. Needs a Docker engine (GitHub Actions runners have one); without one its
 * tests are skipped at once, with the reason.
 */
class ComposeStackSmokeTest {

  private static final String TOKEN = "compose-smoke-token";
  private static final String GRAFANA_PASSWORD = "compose-smoke";
  private static final Duration SERVICE_READY = Duration.ofMinutes(5);

  private static ComposeContainer stack;
  private static Path logs;

  private static final String NO_DOCKER =
      "no Docker engine on this machine, so deploy/compose.yaml cannot be started here;"
          + " ComposeFileTest still checked the file (this test runs where Docker exists, e.g. on"
          + " GitHub Actions runners)";

  @BeforeAll
  static void start() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      System.out.println("ComposeStackSmokeTest skipped: " + NO_DOCKER);
      return; // each test is then skipped with the reason, see requireStack()
    }
    Path root = ComposeProject.root();
    for (String service : ComposeProject.SERVICE_PORTS.keySet()) {
      assertThat(root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar"))
          .as("the image is built from it: run ./mvnw -B package -DskipTests first")
          .isRegularFile();
    }
    logs = Path.of("target/e2e-logs/ComposeStackSmokeTest").toAbsolutePath();
    stack =
        new ComposeContainer("rmm-smoke", ComposeProject.composeFile().toFile())
            .withBuild(true)
            // the four rmm images are built, not pulled; `up` pulls the missing others itself
            .withPull(false)
            .withEnv("RMM_API_TOKENS", ApiToken.forAnyRepository(TOKEN))
            .withEnv(LocalStack.APPROVERS_VARIABLE, LocalStack.DEMO_APPROVERS)
            .withEnv(LocalStack.ADMINS_VARIABLE, LocalStack.DEMO_ADMINS)
            .withEnv(LocalStack.DEMO_TRUST)
            .withEnv("GRAFANA_ADMIN_PASSWORD", GRAFANA_PASSWORD)
            // never the real Telegram or GitHub, whatever the runner's environment holds
            .withEnv("TELEGRAM_BOT_TOKEN", "")
            .withEnv("GITHUB_TOKEN", "")
            .withStartupTimeout(Duration.ofMinutes(15));
    ComposeProject.SERVICE_PORTS.forEach(
        (service, port) ->
            stack
                .withExposedService(
                    service,
                    port,
                    Wait.forHttp("/q/health/ready")
                        .forStatusCode(200)
                        .withStartupTimeout(SERVICE_READY))
                .withLogConsumer(service, frame -> append(service, frame.getUtf8String())));
    stack
        .withExposedService(
            "grafana",
            3000,
            Wait.forHttp("/api/health").forStatusCode(200).withStartupTimeout(SERVICE_READY))
        .withExposedService(
            "prometheus",
            9090,
            Wait.forHttp("/-/ready").forStatusCode(200).withStartupTimeout(SERVICE_READY));
    stack.start();
  }

  @BeforeEach
  void requireStack() {
    Assumptions.assumeTrue(stack != null, NO_DOCKER);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.stop();
    }
  }

  @Test
  void aReleaseWalksThroughTheComposeStackToManualTestingAndIsReadBackFromTheReadModel() {
    Http api = new Http(url("release-api", 8081), TOKEN);

    Http.Answer created =
        api.post("/api/v1/releases", Http.createBody("compose-smoke", "v1.0.0", "4242"));
    assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
    String id = created.body().get("release_id").asText();
    for (String status : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      Http.Answer step = api.post("/api/v1/releases/" + id + "/steps", Http.step(status));
      assertThat(step.status()).as(status + ": " + step.body()).isEqualTo(200);
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Http.Answer read = api.get("/api/v1/releases/" + id);
              assertThat(read.status()).as(String.valueOf(read.body())).isEqualTo(200);
              assertThat(read.body().path("status").asText()).isEqualTo("manual_testing");
            });
    Http.Answer timeline = api.get("/api/v1/releases/" + id + "/timeline");
    assertThat(timeline.status()).isEqualTo(200);
    assertThat(timeline.body().path("events")).hasSize(4);
  }

  @Test
  void grafanaHasTheDashboardsAndPrometheusScrapesReleaseApi() {
    String grafana = url("grafana", 3000);
    for (String uid : List.of("rmm-delivery", "rmm-services")) {
      HttpResponse<String> dashboard =
          get(
              grafana + "/api/dashboards/uid/" + uid,
              "Basic "
                  + Base64.getEncoder()
                      .encodeToString(
                          ("admin:" + GRAFANA_PASSWORD).getBytes(StandardCharsets.UTF_8)));
      assertThat(dashboard.statusCode()).as(uid + ": " + dashboard.body()).isEqualTo(200);
    }

    String query =
        url("prometheus", 9090)
            + "/api/v1/query?query="
            + URLEncoder.encode("up{job=\"release-api\"}", StandardCharsets.UTF_8);
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              JsonNode answer = EventCodec.mapper().readTree(get(query, null).body());
              assertThat(answer.path("data").path("result").path(0).path("value").path(1).asText())
                  .as("up{job=\"release-api\"}: " + answer)
                  .isEqualTo("1");
            });
  }

  private static String url(String service, int port) {
    return "http://"
        + stack.getServiceHost(service, port)
        + ":"
        + stack.getServicePort(service, port);
  }

  private static HttpResponse<String> get(String url, String authorization) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Each service's container output goes to its own file, kept after the run. */
  private static void append(String service, String text) {
    try {
      Files.createDirectories(logs);
      Files.writeString(
          logs.resolve(service + ".log"),
          text,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the log of " + service, e);
    }
  }
}
