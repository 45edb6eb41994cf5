package dev.rmm.orchestrator.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.orchestrator.DeployFile;
import dev.rmm.orchestrator.OrchestratorConfig;
import dev.rmm.orchestrator.github.Credentials;
import dev.rmm.orchestrator.github.GitHubApp;
import dev.rmm.orchestrator.github.GitHubTarget;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each service's production workflow is: by default the repository that created the release,
 * {@code rmm.deploy.default-workflow}, run at the release's own tag ({@code refs/tags/<tag>}); the
 * deploy file (RMM_DEPLOY_FILE) may set the workflow and the ref per service, and the environment
 * variable that holds its token ({@link DeployFile}). The ref never comes from the release's own
 * free-text {@code ref}: a pipeline cannot choose which branch's workflow file runs in production.
 * When the deploy file names the service's repository, a release from any other repository is not
 * dispatched at all: its dispatch is recorded as failed with the reason (which the gateway's alerts
 * chat shows), so a release that slipped past release-api's binding never runs another repository's
 * production workflow.
 */
@ApplicationScoped
public class ServiceTargets {

  private final DeployFile file;
  private final OrchestratorConfig.GitHub github;
  private final String defaultWorkflow;
  private final Map<String, Credentials> apps = new ConcurrentHashMap<>();

  ServiceTargets(OrchestratorConfig config, DeployFile file) {
    this.file = file;
    this.github = config.github();
    this.defaultWorkflow = config.deploy().defaultWorkflow();
  }

  /**
   * The target of a release; its credentials are null when none are configured ({@link
   * Result#missing}). A service's own App or token variable wins over the default token, which wins
   * over the default App.
   */
  public Result target(ReleaseSpec spec) {
    JsonNode g = file.section(spec.service(), "github");
    Credentials credentials = null;
    String missing = null;
    String tokenVariable = g.path("token_variable").asText("");
    if (g.hasNonNull("app_id")) {
      String keyVariable = g.path("private_key_variable").asText("GITHUB_APP_PRIVATE_KEY");
      String key = file.secret(keyVariable);
      if (key == null) {
        missing = "no GitHub App key: " + keyVariable + " is not set";
      } else {
        credentials = app(g.path("app_id").asText(), g.path("installation_id").asLong(), key);
      }
    } else if (!tokenVariable.isEmpty()) {
      String token = file.secret(tokenVariable);
      if (token == null) {
        missing =
            "no GitHub token: "
                + tokenVariable
                + " (the token of "
                + spec.service()
                + ")"
                + " is not set";
      } else {
        credentials = Credentials.of(token);
      }
    } else if (github.token().filter(t -> !t.isBlank()).isPresent()) {
      credentials = Credentials.of(github.token().get());
    } else if (github.appId().isPresent()
        && github.appInstallationId().isPresent()
        && github.appPrivateKey().filter(k -> !k.isBlank()).isPresent()) {
      credentials =
          app(github.appId().get(), github.appInstallationId().get(), github.appPrivateKey().get());
    } else {
      missing = "no GitHub token: neither GITHUB_TOKEN nor a GitHub App is configured";
    }
    String foreign = foreignRepository(spec, g);
    return new Result(
        new GitHubTarget(
            g.path("repository").asText(spec.repository()),
            g.path("workflow").asText(defaultWorkflow),
            ref(spec, g),
            credentials),
        foreign != null ? foreign : missing);
  }

  /** The deploy file's ref for the service, or the release's tag: never the release's own ref. */
  static String ref(ReleaseSpec spec, JsonNode github) {
    return github.path("ref").asText("refs/tags/" + spec.tag());
  }

  /**
   * Why the release may not be dispatched because it comes from another repository than the one the
   * deploy file names for its service, or null when it may.
   */
  static String foreignRepository(ReleaseSpec spec, JsonNode github) {
    String declared = github.path("repository").asText(null);
    if (declared == null || declared.equalsIgnoreCase(spec.repository())) {
      return null;
    }
    return "not dispatched: the release comes from "
        + spec.repository()
        + ", but the deploy file (RMM_DEPLOY_FILE) deploys service "
        + spec.service()
        + " from "
        + declared
        + "; only releases of "
        + declared
        + " run its production workflow. Check the service's repository in release-api's policy"
        + " file and in the deploy file";
  }

  /** One App client per installation, so its token is reused across releases. */
  private Credentials app(String appId, long installationId, String key) {
    return apps.computeIfAbsent(
        appId + "/" + installationId,
        k -> new GitHubApp(github.apiUrl(), github.userAgent(), appId, installationId, key));
  }

  /**
   * A release's target and, when it cannot be dispatched, why.
   *
   * @param missing null when the target can be dispatched; otherwise why not (no token, or the
   *     release comes from another repository than the deploy file's), recorded as the dispatch's
   *     failure
   */
  public record Result(GitHubTarget target, String missing) {}

  Map<String, String> inputs(ReleaseSpec spec, String releaseId, String dispatchId) {
    return Map.of(
        "release_id",
        releaseId,
        "release_tag",
        spec.tag(),
        "commit_sha",
        spec.commitSha(),
        "dispatch_id",
        dispatchId);
  }
}
