package dev.rmm.orchestrator.github;

/**
 * Where a release's production workflow is dispatched.
 *
 * @param repository {@code owner/name}
 * @param workflow the workflow file name (or id)
 * @param ref the branch or tag whose workflow file runs
 * @param credentials how to authenticate; null when none is configured
 */
public record GitHubTarget(
    String repository, String workflow, String ref, Credentials credentials) {

  @Override
  public String toString() {
    return repository + " " + workflow + " @ " + ref;
  }
}
