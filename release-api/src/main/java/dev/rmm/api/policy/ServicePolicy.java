package dev.rmm.api.policy;

import dev.rmm.contracts.ApprovalPolicy;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A service's policy: who approves its releases, and where they may come from. A service bound to a
 * repository is released only from that repository, so another repository's token or OIDC claim
 * cannot create a release that would get this service's approvers and production workflow.
 *
 * @param approval who approves, copied into each new release's first event
 * @param repository the one repository ({@code owner/name}) whose pipelines may release the
 *     service, or null when the policy declares none (an unbound service, see {@link
 *     PolicyRegistry#allowsUnbound()})
 * @param jobWorkflowRefs patterns of the GitHub OIDC {@code job_workflow_ref} claims that may
 *     release the service ({@code *} matches any characters), or empty for any workflow of the
 *     repository
 */
public record ServicePolicy(
    ApprovalPolicy approval, String repository, List<String> jobWorkflowRefs) {

  public ServicePolicy {
    Objects.requireNonNull(approval, "approval");
    jobWorkflowRefs = List.copyOf(jobWorkflowRefs);
  }

  /** A policy that binds the service to no repository (the default policy). */
  public static ServicePolicy unbound(ApprovalPolicy approval) {
    return new ServicePolicy(approval, null, List.of());
  }

  public boolean isBound() {
    return repository != null;
  }

  /** Whether a {@code job_workflow_ref} claim is one of the allowed workflows. */
  public boolean allowsWorkflow(String jobWorkflowRef) {
    return jobWorkflowRef != null
        && jobWorkflowRefs.stream().anyMatch(p -> glob(p).matcher(jobWorkflowRef).matches());
  }

  private static Pattern glob(String pattern) {
    return Pattern.compile(Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
  }
}
