package dev.rmm.orchestrator.github;

/**
 * Where a release's production workflow is dispatched.
 *
 * @param repository {@code owner/name}
 * @param workflow the workflow file name (or id)
 * @param ref the branch or tag whose workflow file runs
 * @param token the token to use; never logged
 */
public record GitHubTarget(String repository, String workflow, String ref, String token) {

  @Override
  public String toString() {
    return repository + " " + workflow + " @ " + ref;
  }
}
