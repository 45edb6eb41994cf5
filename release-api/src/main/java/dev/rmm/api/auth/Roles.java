package dev.rmm.api.auth;

/**
 * The roles an authenticated caller of the API holds, named in {@code @RolesAllowed} on every
 * resource method. Anything not annotated is closed (deny by default, application.properties).
 */
public final class Roles {

  /** A repository's pipeline: a repository token or a GitHub Actions OIDC token. */
  public static final String PIPELINE = "pipeline";

  /** The admin token ({@code *} in RMM_API_TOKENS): user actions and every repository. */
  public static final String ADMIN = "admin";

  /** Identity attribute: the repository a pipeline's token belongs to ({@code *} for admin). */
  public static final String REPOSITORY = "rmm.repository";

  /** Identity attribute: an OIDC token's {@code job_workflow_ref} claim; absent otherwise. */
  public static final String JOB_WORKFLOW_REF = "rmm.job_workflow_ref";

  /**
   * Identity attribute: an OIDC token's {@code actor} claim, the GitHub login that started the run
   * (issue 15 point 3); absent for other tokens and for an OIDC token without it.
   */
  public static final String ACTOR = "rmm.actor";

  private Roles() {}
}
