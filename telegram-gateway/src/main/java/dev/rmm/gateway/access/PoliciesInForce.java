package dev.rmm.gateway.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.PolicyHistory;
import dev.rmm.contracts.PolicyInForce;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.kafka.PolicyFollower;
import dev.rmm.gateway.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The approval policy in force, as release-api decides with it: the newest valid event of the
 * policy topic, followed while the gateway runs. Before, the gateway knew only the policy each
 * release recorded when it was created, so an approver added later was refused by the gateway's own
 * check of a press (and never reached release-api, which would have accepted), a removed one still
 * saw Approve, and the card named yesterday's approvers. Until the first policy event is read (a
 * log from before policies were events, or the topic not created yet) the release's recorded policy
 * stands, as release-api's decider does.
 */
@ApplicationScoped
public class PoliciesInForce {

  private final PolicyFollower follower;

  PoliciesInForce(
      GatewayConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.follower = new PolicyFollower(bootstrap, config.topics().policies(), "telegram-gateway");
  }

  void start(@Observes StartupEvent e) {
    follower.startFollowing();
  }

  void stop(@Observes ShutdownEvent e) {
    follower.close();
  }

  /** The service's policy in force, or null when no policy event has been read. */
  public PolicyInForce inForce(String service) {
    return follower.history().inForce(service);
  }

  /**
   * Whether the user approves or administers any service (or the default policy) under the policy
   * in force; empty when no policy event has been read.
   */
  public Optional<Boolean> listsAnywhere(long telegramUserId) {
    PolicyHistory h = follower.history();
    PolicyChanged p = h.current();
    if (p == null) {
      return Optional.empty();
    }
    List<ApprovalPolicy> all = new ArrayList<>();
    p.services().values().forEach(s -> all.add(s.approval()));
    all.add(p.defaultPolicy());
    for (ApprovalPolicy a : all) {
      if (a != null
          && (a.admins().contains(telegramUserId)
              || a.approvers().stream().anyMatch(x -> x.telegramId() == telegramUserId))) {
        return Optional.of(true);
      }
    }
    return Optional.of(false);
  }

  /**
   * The read model's release row with the policy fields ({@code required_approvers}, {@code
   * quorum}, {@code admins}, {@code initiator_may_approve}) of the policy in force, and its {@code
   * policy_version}; the row as it is when no policy event has been read. A service without a
   * policy under it (no own policy, no default) gets none: nobody may act on its releases.
   */
  public JsonNode overlay(JsonNode release) {
    if (!(release instanceof ObjectNode row)) {
      return release;
    }
    PolicyInForce now = inForce(row.path("service_name").asText());
    if (now == null) {
      return release;
    }
    ApprovalPolicy a = now.approval();
    ArrayNode approvers = EventCodec.mapper().createArrayNode();
    ArrayNode admins = EventCodec.mapper().createArrayNode();
    if (a != null) {
      for (ApprovalPolicy.Approver x : a.approvers()) {
        ObjectNode o = approvers.addObject().put("id", x.telegramId()).put("name", x.name());
        if (x.githubLogin() != null) {
          o.put("github_login", x.githubLogin());
        }
        if (!x.roles().isEmpty()) {
          x.roles().forEach(o.putArray("roles")::add);
        }
      }
      a.admins().forEach(admins::add);
    }
    ObjectNode out = row.deepCopy();
    out.set("required_approvers", approvers);
    out.set("admins", admins);
    out.put("quorum", a == null ? 0 : a.quorum());
    out.put("initiator_may_approve", a != null && a.initiatorMayApprove());
    out.put("policy_version", now.version());
    // how long an approval counts before the quorum; the card marks older ones expired
    out.put(
        "approval_expiry_minutes",
        (a == null ? ApprovalPolicy.DEFAULT_APPROVAL_EXPIRY : a.approvalExpiry()).toMinutes());
    requiredRoles(out, a);
    initiatorName(out, a);
    return out;
  }

  /**
   * The person the release's authenticated initiator ({@code initiator_login}) is under the policy
   * in force ({@code "initiator_name": "Carol"}), for the card's initiator line; absent when no
   * approver has that login.
   */
  private void initiatorName(ObjectNode out, ApprovalPolicy service) {
    out.remove("initiator_name");
    InitiatorPerson.name(
            out.path("initiator_login").asText(null), service, follower.history().current())
        .ifPresent(name -> out.put("initiator_name", name));
  }

  /**
   * The role quorum of the policy in force ({@code "required_roles": {"qa": 1, "lead": 1}}, in the
   * policy's order), for the card's "qa 1/1 · lead 0/1" line; absent when the policy names none.
   */
  private static void requiredRoles(ObjectNode out, ApprovalPolicy a) {
    out.remove("required_roles");
    if (a != null && a.hasRoles()) {
      ObjectNode roles = out.putObject("required_roles");
      a.roles().forEach(roles::put);
    }
  }
}
