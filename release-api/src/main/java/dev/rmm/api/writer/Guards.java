package dev.rmm.api.writer;

import dev.rmm.api.policy.ServicePolicies;
import dev.rmm.api.policy.ServicePolicy;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.ReleaseState;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Checks made by the writer against the current state, before the decider runs. */
final class Guards {

  private Guards() {}

  /**
   * What a pipeline may touch: releases of its own repository ({@code scope}) and, when the
   * release's service lists workflows ({@code job_workflow_refs} in its policy), only from one of
   * them. The service is known only here, from the release's state, so the list is checked for
   * every write after the create (steps, the legacy {@code PATCH /release}, a repeated create) and
   * not only at the door of the create ({@code RepositoryBinding}).
   *
   * @param scope the pipeline's repository, or null for an admin or the gateway: no restriction
   * @param workflow the {@code job_workflow_ref} the pipeline proved with its OIDC token, or null
   *     when it proved none (a repository token)
   * @param policies where the service's policy in force is found, or null to check no workflow
   */
  static Function<ReleaseState, Decision.Refused> pipeline(
      String scope, String workflow, ServicePolicies policies) {
    if (scope == null) {
      return null;
    }
    return state -> {
      if (!state.exists()) {
        return null;
      }
      if (!scope.equalsIgnoreCase(state.spec().repository())) {
        return notAllowed(
            "this token belongs to "
                + scope
                + " and cannot act on releases of "
                + state.spec().repository());
      }
      return policies == null ? null : workflowRefusal(state, workflow, policies);
    };
  }

  private static Decision.Refused workflowRefusal(
      ReleaseState state, String workflow, ServicePolicies policies) {
    String service = state.spec().service();
    Optional<ServicePolicy> policy = policies.of(service);
    if (policy.isEmpty() || policy.get().jobWorkflowRefs().isEmpty()) {
      return null;
    }
    if (workflow == null) {
      return notAllowed(
          "service '"
              + service
              + "' is moved only by the workflows in its policy's job_workflow_refs; a repository"
              + " token cannot prove which workflow runs: use the workflow's GitHub OIDC token");
    }
    if (!policy.get().allowsWorkflow(workflow)) {
      return notAllowed(
          "the workflow "
              + workflow
              + " may not act on releases of service '"
              + service
              + "': its policy's job_workflow_refs are "
              + policy.get().jobWorkflowRefs());
    }
    return null;
  }

  private static Decision.Refused notAllowed(String detail) {
    return new Decision.Refused(Decision.Refusal.NOT_ALLOWED, detail, List.of());
  }
}
