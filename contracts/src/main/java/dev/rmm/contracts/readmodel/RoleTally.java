package dev.rmm.contracts.readmodel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One role of a release's role quorum (the row's {@code role_quorum}, written by the projector's
 * RoleQuorumColumn), in the policy's order.
 *
 * @param required the approvals the role needs
 * @param approved the approvals given that fill it (one approver fills one role only)
 * @param holders the Telegram ids of the approvers who hold the role
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RoleTally(String role, int required, int approved, List<Long> holders) {

  public RoleTally {
    holders = holders == null ? List.of() : List.copyOf(holders);
  }
}
