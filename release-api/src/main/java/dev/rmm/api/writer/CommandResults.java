package dev.rmm.api.writer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseState;

/**
 * The answer to a command read from Kafka, published on the results topic keyed by command id:
 * {@code {"command_id", "release_id", "outcome": "accepted"|"refused", "reason", "detail",
 * "status", "version", "approvals", "quorum", "events": [types], "release": {the release's view}}};
 * a rollback refused for its target adds {@code "allowed_targets": [tags], "production_tag"}. A
 * release-api instance that forwarded an HTTP request answers from it, exactly as the owner would
 * have.
 */
public final class CommandResults {

  private CommandResults() {}

  public static ObjectNode toJson(String commandId, WriteResult result) {
    ObjectNode n = EventCodec.mapper().createObjectNode();
    n.put("command_id", commandId);
    n.put("release_id", result.state().releaseId());
    Decision d = result.decision();
    if (d instanceof Decision.Refused r) {
      n.put("outcome", "refused");
      n.put("reason", r.reason().name().toLowerCase(java.util.Locale.ROOT));
      n.put("detail", r.detail());
      if (r.reason() == Decision.Refusal.TARGET_NOT_ALLOWED && result.rollbackTargets() != null) {
        result.rollbackTargets().allowed().forEach(n.putArray("allowed_targets")::add);
        n.put("production_tag", result.rollbackTargets().production());
      }
    } else {
      n.put("outcome", "accepted");
    }
    ReleaseState s = result.state();
    if (s.exists()) {
      n.put("status", s.status().wire());
      n.put("version", s.version());
      n.put("approvals", approvalsInForce(d, s));
      n.put("quorum", s.policy().quorum());
    }
    var types = n.putArray("events");
    result.eventTypes().forEach(types::add);
    if (s.exists()) {
      n.set("release", ReleaseViews.of(s));
    }
    return n;
  }

  /**
   * The approvals that count: as the approval just granted counted them (without expired ones, or
   * ones of people no longer approvers), else every approval the release holds.
   */
  private static int approvalsInForce(Decision d, ReleaseState s) {
    int counted = -1;
    for (var e : d.events()) {
      if (e instanceof dev.rmm.contracts.ReleaseEvent.ApprovalGranted g) {
        counted = g.approvals();
      }
    }
    return counted >= 0 ? counted : s.approvals().size();
  }

  /** The answer to a command read after its sender's deadline: not decided, nothing appended. */
  public static ObjectNode expired(String commandId, String releaseId) {
    ObjectNode n = EventCodec.mapper().createObjectNode();
    n.put("command_id", commandId);
    if (releaseId != null) {
      n.put("release_id", releaseId);
    }
    n.put("outcome", "refused");
    n.put("reason", "expired");
    n.put("detail", "the command was read after its sender's deadline; nothing was decided");
    n.putArray("events");
    return n;
  }

  /**
   * The answer to a command that cannot be decided now (its rollback targets could not be looked
   * up): not decided, nothing appended; the sender may try again.
   */
  public static ObjectNode unavailable(String commandId, String releaseId, String detail) {
    ObjectNode n = expired(commandId, releaseId);
    n.put("reason", "unavailable");
    n.put("detail", detail);
    return n;
  }

  /** The answer to a command that could not even be read. */
  public static ObjectNode malformed(String commandId, String detail) {
    ObjectNode n = EventCodec.mapper().createObjectNode();
    n.put("command_id", commandId);
    n.put("outcome", "refused");
    n.put("reason", "invalid");
    n.put("detail", detail);
    n.putArray("events");
    return n;
  }
}
