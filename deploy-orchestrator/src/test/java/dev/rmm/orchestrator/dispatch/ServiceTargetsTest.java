package dev.rmm.orchestrator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.orchestrator.DeployFile;
import org.junit.jupiter.api.Test;

/**
 * The production workflow's ref and repository come from the deploy file or the tag, never from
 * what the release's pipeline wrote in its free-text {@code ref}.
 */
class ServiceTargetsTest {

  private static ReleaseSpec billing(String repository, String ref) {
    return new ReleaseSpec(
        "billing",
        "v1.4.0",
        "dave",
        "9001",
        "https://github.com/" + repository + "/actions/runs/9001",
        ref,
        repository,
        "3f2c1a9");
  }

  private static JsonNode github(String deployFile) {
    return new DeployFile(DeployFile.parse(deployFile), v -> null).section("billing", "github");
  }

  @Test
  void givenNoRefInTheDeployFile_whenTheReleasesRefIsABranch_thenTheDispatchRefIsTheTag() {
    ReleaseSpec spec = billing("acme/billing", "refs/heads/attacker-branch");

    assertThat(ServiceTargets.ref(spec, github("{}"))).isEqualTo("refs/tags/v1.4.0");
  }

  @Test
  void givenARefInTheDeployFile_thenItIsTheDispatchRef() {
    ReleaseSpec spec = billing("acme/billing", "refs/heads/attacker-branch");
    JsonNode g = github("{\"services\": {\"billing\": {\"github\": {\"ref\": \"main\"}}}}");

    assertThat(ServiceTargets.ref(spec, g)).isEqualTo("main");
  }

  @Test
  void givenTheDeployFilesRepository_whenTheReleaseComesFromAnother_thenItIsNotDispatched() {
    JsonNode g =
        github("{\"services\": {\"billing\": {\"github\": {\"repository\": \"acme/billing\"}}}}");

    assertThat(ServiceTargets.foreignRepository(billing("acme/frontend", "refs/tags/v1.4.0"), g))
        .isEqualTo(
            "not dispatched: the release comes from acme/frontend, but the deploy file"
                + " (RMM_DEPLOY_FILE) deploys service billing from acme/billing; only releases of"
                + " acme/billing run its production workflow. Check the service's repository in"
                + " release-api's policy file and in the deploy file");
    assertThat(ServiceTargets.foreignRepository(billing("ACME/billing", "refs/tags/v1.4.0"), g))
        .as("GitHub's names are case-insensitive")
        .isNull();
  }

  @Test
  void givenNoRepositoryInTheDeployFile_thenTheReleasesOwnRepositoryIsDispatched() {
    assertThat(
            ServiceTargets.foreignRepository(
                billing("acme/billing", "refs/tags/v1.4.0"), github("{}")))
        .isNull();
  }
}
