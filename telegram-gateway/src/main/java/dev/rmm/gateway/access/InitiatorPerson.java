package dev.rmm.gateway.access;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The person a release's authenticated initiator is (issue 15 point 3): the approver whose GitHub
 * logins, the policy file's {@code github_login} or its {@code people} directory (merged into each
 * policy's approvers by release-api), hold the login the API took from the pipeline's OIDC token.
 * The service's own policy first, then every other service's and the default's: the directory names
 * a person once for all services, and the one who pushed a tag of a service may approve others.
 */
final class InitiatorPerson {

  private InitiatorPerson() {}

  /**
   * The person's name, or empty when no policy knows the login.
   *
   * @param service the policy in force of the release's service, or null for none
   * @param all the whole policy in force, or null when no policy event was read
   */
  static Optional<String> name(String login, ApprovalPolicy service, PolicyChanged all) {
    if (login == null || login.isBlank()) {
      return Optional.empty();
    }
    List<ApprovalPolicy> policies = new ArrayList<>();
    if (service != null) {
      policies.add(service);
    }
    if (all != null) {
      all.services().values().forEach(s -> policies.add(s.approval()));
      policies.add(all.defaultPolicy());
    }
    for (ApprovalPolicy p : policies) {
      if (p == null) {
        continue;
      }
      for (Approver a : p.approvers()) {
        if (a.hasLogin(login)) {
          return Optional.of(a.name());
        }
      }
    }
    return Optional.empty();
  }
}
