package dev.rmm.projector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.RoleQuorum;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code releases.role_quorum} column (V15, issue 15 point 3): each role the release's policy
 * requires, in the policy's order, with how many approvals it needs, how many of the approvals
 * given fill it, and who holds it. The matching is contracts' {@link RoleQuorum} (one approver
 * fills one role only), the one the decider decides with and the card shows.
 *
 * <p>Like {@code required_approvers} and {@code quorum}, the roles are those of the policy recorded
 * at the release's creation: the read model is built from the release log alone, so a rebuild gives
 * the same column. The approvals counted are those of {@code approved_list} (given and not voided
 * by a moved tag); an approval that expired before the quorum still fills its role here, as it
 * still stands in {@code approved_list} (the card marks it, the decider no longer counts it).
 */
final class RoleQuorumColumn {

  private RoleQuorumColumn() {}

  /** The column of a release created under {@code policy}: nothing filled; null without roles. */
  static ArrayNode created(ApprovalPolicy policy) {
    if (!policy.hasRoles()) {
      return null;
    }
    ArrayNode out = EventCodec.mapper().createArrayNode();
    policy
        .roles()
        .forEach(
            (role, count) -> {
              ObjectNode n = out.addObject();
              n.put("role", role);
              n.put("required", count);
              n.put("approved", 0);
              ArrayNode holders = n.putArray("holders");
              policy.approvers().stream()
                  .filter(a -> a.roles().contains(role))
                  .forEach(a -> holders.add(a.telegramId()));
            });
    return out;
  }

  /**
   * The column with {@code approved} counted again for the approvals of {@code approvedList}; the
   * same object, changed (null stays null).
   */
  static ArrayNode recount(ArrayNode column, ArrayNode approvedList) {
    if (column == null) {
      return null;
    }
    Map<String, Integer> required = new LinkedHashMap<>();
    Map<Long, List<String>> held = new HashMap<>();
    for (JsonNode r : column) {
      String role = r.path("role").asText();
      required.put(role, r.path("required").asInt());
      r.path("holders")
          .forEach(h -> held.computeIfAbsent(h.asLong(), k -> new ArrayList<>()).add(role));
    }
    // an approver who approved again (their first approval expired) is one approver
    Set<Long> approved = new LinkedHashSet<>();
    approvedList.forEach(a -> approved.add(a.path("id").asLong()));
    List<ApprovalPolicy.Approver> approvers = new ArrayList<>();
    for (long id : approved) {
      approvers.add(
          new ApprovalPolicy.Approver(id, Long.toString(id), null)
              .withRoles(held.getOrDefault(id, List.of())));
    }
    RoleQuorum q = RoleQuorum.of(required, approvers);
    for (JsonNode r : column) {
      ((ObjectNode) r).put("approved", q.filled().getOrDefault(r.path("role").asText(), 0));
    }
    return column;
  }
}
