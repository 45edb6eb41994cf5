package dev.rmm.api.policy;

import dev.rmm.contracts.ApprovalPolicy;
import java.nio.charset.StandardCharsets;

/** The approval policy of a one-service policy file: {@code billing}, approver 1001, and more. */
final class BillingPolicy {

  private BillingPolicy() {}

  /**
   * Parses a policy file whose service {@code billing} has approver 1001 and {@code extra} (JSON
   * members, each led by a comma) as the policy registry would read it.
   */
  static ApprovalPolicy with(String extra) {
    return PolicyRegistry.parse(
            ("{\"services\": {\"billing\": {\"approvers\": [{\"telegram_id\": 1001}]"
                    + extra
                    + "}}}")
                .getBytes(StandardCharsets.UTF_8),
            "policy.json")
        .get("billing")
        .approval();
  }
}
