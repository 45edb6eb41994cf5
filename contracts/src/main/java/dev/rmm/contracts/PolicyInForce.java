package dev.rmm.contracts;

import dev.rmm.contracts.ReleaseEvent.PolicyChanged;

/**
 * The approval policy that decides a user's action on a release now: the service's policy under the
 * newest {@link PolicyChanged} event of the policy topic, whatever policy the release was created
 * under. So an approver or admin removed from the policy file can no longer approve, reject, cancel
 * or roll back, and every decision names the version it used.
 *
 * @param version the sequence number of the policy event in force
 * @param approval the service's approval policy under it, or null when it has none (no own policy
 *     and no default): then no user action on its releases is allowed
 */
public record PolicyInForce(long version, ApprovalPolicy approval) {

  /** The policy of {@code service} under the policy event {@code version}. */
  public static PolicyInForce of(long version, PolicyChanged policy, String service) {
    return new PolicyInForce(version, policy.approvalOf(service));
  }
}
