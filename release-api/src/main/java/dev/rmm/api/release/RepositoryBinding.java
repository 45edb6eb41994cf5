package dev.rmm.api.release;

import dev.rmm.api.auth.Caller;
import dev.rmm.api.policy.ServicePolicy;
import dev.rmm.api.problem.InvalidRequestException;
import java.util.Map;

/**
 * Binds a service to its repository: a release of a service comes only from the repository its
 * policy declares (and, when the policy lists them, only from the declared GitHub workflows), so
 * another repository's token or OIDC token cannot create a release that gets this service's
 * approvers and production workflow. A refusal is 403 problem+json, decided before anything is
 * written. Every later write by a pipeline (steps, the legacy {@code PATCH /release}) is checked by
 * the writer, which knows the release's service: its token acts only on releases of its own
 * repository, and a service's workflow list binds those writes too ({@code Guards#pipeline}).
 */
final class RepositoryBinding {

  private RepositoryBinding() {}

  /**
   * @param repository the repository the request names (the token's own, checked before)
   * @param allowUnbound whether a service without a declared repository may be released at all
   * @throws InvalidRequestException 403 saying which declaration refuses the request
   */
  static void check(
      String service,
      String repository,
      Caller caller,
      ServicePolicy policy,
      boolean allowUnbound) {
    if (!policy.isBound()) {
      if (!allowUnbound) {
        throw forbidden(
            "service '"
                + service
                + "' declares no repository, so no pipeline may release it: add \"repository\":"
                + " \"owner/name\" to its entry in the policy file (RMM_POLICY_FILE), or set"
                + " RMM_POLICY_ALLOW_UNBOUND_SERVICES=true to let any repository release services"
                + " without one");
      }
      return;
    }
    if (!policy.repository().equalsIgnoreCase(repository)) {
      throw forbidden(
          "service '"
              + service
              + "' is released only from "
              + policy.repository()
              + " (its policy's repository); this request comes from "
              + (caller.isAdmin() ? "an admin token naming " + repository : repository));
    }
    if (policy.jobWorkflowRefs().isEmpty() || caller.isAdmin()) {
      return;
    }
    if (!caller.isOidc()) {
      throw forbidden(
          "service '"
              + service
              + "' is released only by the workflows in its policy's job_workflow_refs; a"
              + " repository token cannot prove which workflow runs: use the workflow's GitHub"
              + " OIDC token");
    }
    if (!policy.allowsWorkflow(caller.jobWorkflowRef())) {
      throw forbidden(
          "the workflow "
              + caller.jobWorkflowRef()
              + " may not release service '"
              + service
              + "': its policy's job_workflow_refs are "
              + policy.jobWorkflowRefs());
    }
  }

  private static InvalidRequestException forbidden(String detail) {
    return new InvalidRequestException(403, "forbidden", "Forbidden", detail, Map.of());
  }
}
