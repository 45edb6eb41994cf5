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
 * {@code rmm.deploy.default-workflow}, run at the release's own tag; the deploy file
 * (RMM_DEPLOY_FILE) may set any of them per service, and the environment variable that holds its
 * token ({@link DeployFile}).
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
    return new Result(
        new GitHubTarget(
            g.path("repository").asText(spec.repository()),
            g.path("workflow").asText(defaultWorkflow),
            g.path("ref").asText(spec.ref()),
            credentials),
        missing);
  }

  /** One App client per installation, so its token is reused across releases. */
  private Credentials app(String appId, long installationId, String key) {
    return apps.computeIfAbsent(
        appId + "/" + installationId,
        k -> new GitHubApp(github.apiUrl(), github.userAgent(), appId, installationId, key));
  }

  /**
   * A release's target and, when its token is missing, why.
   *
   * @param missing null when the target can be dispatched
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
