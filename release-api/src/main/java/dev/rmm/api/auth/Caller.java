package dev.rmm.api.auth;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is calling: a typed view of the {@link SecurityIdentity} that {@link BearerAuthMechanism}
 * established (its {@link Roles#REPOSITORY} and {@link Roles#JOB_WORKFLOW_REF} attributes).
 *
 * @param repository the repository the token belongs to, or {@code *} for an admin token
 * @param jobWorkflowRef the workflow that asked, from a GitHub OIDC token's {@code
 *     job_workflow_ref} claim ({@code owner/repo/.github/workflows/release.yml@refs/tags/v1.2.3});
 *     null for a repository token or an admin token, which cannot prove which workflow runs
 * @param actor the GitHub login that started the run, from a GitHub OIDC token's {@code actor}
 *     claim (issue 15 point 3): recorded on a release it creates as its authenticated initiator;
 *     null for other tokens, which cannot prove who started the run
 */
public record Caller(String repository, String jobWorkflowRef, String actor) {

  public static final String ANY = "*";

  /** The caller behind an identity authenticated by this API's mechanism. */
  public static Caller of(SecurityIdentity identity) {
    String repository = identity.getAttribute(Roles.REPOSITORY);
    if (repository == null) {
      // every door is @RolesAllowed, so only an authenticated caller of ours gets here
      throw new IllegalStateException("no rmm caller in identity " + identity.getPrincipal());
    }
    return new Caller(
        repository,
        identity.getAttribute(Roles.JOB_WORKFLOW_REF),
        identity.getAttribute(Roles.ACTOR));
  }

  /** A caller whose token names no actor (a repository token, an admin token). */
  public Caller(String repository, String jobWorkflowRef) {
    this(repository, jobWorkflowRef, null);
  }

  /** A caller with a repository token or the admin token. */
  public Caller(String repository) {
    this(repository, null, null);
  }

  public boolean isAdmin() {
    return ANY.equals(repository);
  }

  /** Whether this caller authenticated with a GitHub OIDC token. */
  public boolean isOidc() {
    return jobWorkflowRef != null;
  }

  /**
   * The repository whose releases this caller may read: its own for a pipeline, null (every one)
   * for the admin token.
   */
  public String readScope() {
    return isAdmin() ? null : repository;
  }

  /** Whether this caller may report for releases of {@code repo}. */
  public boolean mayWrite(String repo) {
    return isAdmin() || repository.equalsIgnoreCase(repo);
  }
}
