package dev.rmm.gateway.access;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.PolicyHistory;
import dev.rmm.contracts.PolicyInForce;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.kafka.PolicyFollower;
import dev.rmm.contracts.readmodel.Person;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  public ReleaseView overlay(ReleaseView release) {
    PolicyHistory h = follower.history();
    return overlay(release, h.inForce(release.serviceName()), h.current());
  }

  /**
   * {@link #overlay(ReleaseView)} with the policy in force for the release's service ({@code now},
   * null when none was read) and the whole policy event it comes from ({@code current}, for the
   * people directory that names the initiator).
   */
  static ReleaseView overlay(ReleaseView release, PolicyInForce now, PolicyChanged current) {
    if (now == null) {
      return release;
    }
    ApprovalPolicy a = now.approval();
    List<Person> approvers = new ArrayList<>();
    List<Long> admins = new ArrayList<>();
    if (a != null) {
      for (ApprovalPolicy.Approver x : a.approvers()) {
        approvers.add(new Person(x.telegramId(), x.name(), x.githubLogin(), x.roles()));
      }
      admins.addAll(a.admins());
    }
    // the role quorum in the policy's order, for the card's "qa 1/1 · lead 0/1" line
    Map<String, Integer> roles = new LinkedHashMap<>();
    if (a != null && a.hasRoles()) {
      roles.putAll(a.roles());
    }
    return release
        .withPolicy(
            approvers,
            admins,
            a == null ? 0 : a.quorum(),
            a != null && a.initiatorMayApprove(),
            roles,
            // how long an approval counts before the quorum; the card marks older ones expired
            (a == null ? ApprovalPolicy.DEFAULT_APPROVAL_EXPIRY : a.approvalExpiry()).toMinutes(),
            // how long a break-glass waits for a second admin, for the texts that name it
            (a == null ? ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW : a.breakGlassWindow())
                .toMinutes(),
            now.version())
        // the person the authenticated initiator is, for the card's initiator line; null: nobody
        .withInitiatorName(InitiatorPerson.name(release.initiatorLogin(), a, current).orElse(null));
  }
}
