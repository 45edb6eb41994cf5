package dev.rmm.orchestrator.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.orchestrator.DeployFile;
import dev.rmm.orchestrator.OrchestratorConfig;
import dev.rmm.orchestrator.github.GitHubTarget;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;

/**
 * Where each service's production workflow is: by default the repository that created the release,
 * {@code rmm.deploy.default-workflow}, run at the release's own tag; the deploy file
 * (RMM_DEPLOY_FILE) may set any of them per service, and the environment variable that holds its
 * token ({@link DeployFile}).
 */
@ApplicationScoped
public class ServiceTargets {

  private final DeployFile file;
  private final String defaultWorkflow;
  private final Optional<String> defaultToken;

  ServiceTargets(OrchestratorConfig config, DeployFile file) {
    this.file = file;
    this.defaultWorkflow = config.deploy().defaultWorkflow();
    this.defaultToken = config.github().token().filter(t -> !t.isBlank());
  }

  /**
   * The target of a release; its token is null when none is configured ({@link Result#missing}).
   */
  public Result target(ReleaseSpec spec) {
    JsonNode g = file.section(spec.service(), "github");
    String tokenVariable = g.path("token_variable").asText("");
    Optional<String> token =
        tokenVariable.isEmpty() ? defaultToken : Optional.ofNullable(file.secret(tokenVariable));
    String missing =
        token.isPresent()
            ? null
            : tokenVariable.isEmpty()
                ? "no GitHub token: GITHUB_TOKEN is not set"
                : "no GitHub token: "
                    + tokenVariable
                    + " (the token of "
                    + spec.service()
                    + ") is not set";
    return new Result(
        new GitHubTarget(
            g.path("repository").asText(spec.repository()),
            g.path("workflow").asText(defaultWorkflow),
            g.path("ref").asText(spec.ref()),
            token.orElse(null)),
        missing);
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
