package dev.rmm.contracts.kafka;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What each rmm service may do on Kafka, as ACLs for its principal. The point is the split of
 * writes: only release-api appends events and answers; the gateway and the orchestrator may only
 * send commands, each on its own topic, which release-api decides according to that topic (a
 * gateway command cannot record a dispatch); the projector only reads. A consumer-group ACL per
 * service keeps any other principal from joining the writers' group and taking partitions over.
 * Every producer is idempotent, which needs IDEMPOTENT_WRITE on the cluster.
 *
 * @param names the topics and groups (the services' defaults in {@link Names#defaults()})
 */
public record AclLayout(Names names) {

  /** The services, each with its own principal. */
  public enum Service {
    RELEASE_API,
    RELEASE_PROJECTOR,
    TELEGRAM_GATEWAY,
    DEPLOY_ORCHESTRATOR
  }

  /** Topic and consumer-group names, as configured in the services. */
  public record Names(
      String events,
      String commands,
      String gatewayCommands,
      String orchestratorCommands,
      String results,
      String alerts,
      String checkpoints,
      String snapshots,
      String topicPrefix,
      String writersGroup,
      String projectorGroup,
      String gatewayGroup,
      String gatewayAlertsGroup,
      String orchestratorGroup,
      String policies) {

    public static Names defaults() {
      return new Names(
          "rmm.release-events",
          "rmm.release-commands",
          "rmm.gateway-commands",
          "rmm.orchestrator-commands",
          "rmm.release-command-results",
          "rmm.alerts",
          "rmm.release-checkpoints",
          "rmm.writer-snapshots",
          "rmm.",
          "rmm-release-writers",
          "rmm-release-projector",
          "rmm-telegram-gateway",
          "rmm-telegram-gateway-alerts",
          "rmm-deploy-orchestrator",
          "rmm.release-policies");
    }
  }

  /** The ACLs of one service's principal, e.g. {@code User:rmm-gateway}. */
  public List<AclBinding> bindings(Service service, String principal) {
    Grants g = new Grants(principal);
    g.cluster(AclOperation.IDEMPOTENT_WRITE);
    switch (service) {
      case RELEASE_API -> {
        g.topic(names.events(), AclOperation.READ, AclOperation.WRITE);
        // it forwards requests for partitions another instance owns, and reads every sender's
        g.topic(names.commands(), AclOperation.READ, AclOperation.WRITE);
        g.topic(names.gatewayCommands(), AclOperation.READ);
        g.topic(names.orchestratorCommands(), AclOperation.READ);
        g.topic(names.results(), AclOperation.WRITE);
        g.topic(names.alerts(), AclOperation.WRITE);
        g.topic(names.checkpoints(), AclOperation.WRITE);
        // the policy in force, as events: only release-api records a policy change
        g.topic(names.policies(), AclOperation.READ, AclOperation.WRITE);
        // its own snapshots: no other principal may read or forge a writer's state
        g.topic(names.snapshots(), AclOperation.READ, AclOperation.WRITE);
        // it creates the topics it needs at start-up, and checks their settings
        g.prefixed(AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);
        g.group(names.writersGroup());
      }
      case RELEASE_PROJECTOR -> {
        g.topic(names.events(), AclOperation.READ);
        g.topic(names.alerts(), AclOperation.WRITE);
        g.group(names.projectorGroup());
      }
      case TELEGRAM_GATEWAY -> {
        g.topic(names.events(), AclOperation.READ);
        g.topic(names.gatewayCommands(), AclOperation.WRITE);
        g.topic(names.results(), AclOperation.READ);
        g.topic(names.alerts(), AclOperation.READ);
        // the policy in force, to check a press and draw a card as release-api decides
        g.topic(names.policies(), AclOperation.READ);
        g.group(names.gatewayGroup());
        g.group(names.gatewayAlertsGroup());
      }
      case DEPLOY_ORCHESTRATOR -> {
        g.topic(names.events(), AclOperation.READ);
        g.topic(names.orchestratorCommands(), AclOperation.WRITE);
        g.topic(names.results(), AclOperation.READ);
        g.topic(names.alerts(), AclOperation.WRITE);
        // the policy in force, for its freeze windows at dispatch time (issue 15 point 5)
        g.topic(names.policies(), AclOperation.READ);
        g.group(names.orchestratorGroup());
      }
    }
    return g.bindings;
  }

  /** Collects one principal's ALLOW entries; every topic it uses also gets DESCRIBE. */
  private final class Grants {
    private final String principal;
    private final List<AclBinding> bindings = new ArrayList<>();

    Grants(String principal) {
      this.principal = principal;
    }

    void topic(String topic, AclOperation... operations) {
      add(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE);
      for (AclOperation op : operations) {
        add(ResourceType.TOPIC, topic, PatternType.LITERAL, op);
      }
    }

    void prefixed(AclOperation... operations) {
      for (AclOperation op : operations) {
        add(ResourceType.TOPIC, names.topicPrefix(), PatternType.PREFIXED, op);
      }
    }

    void group(String group) {
      add(ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ);
    }

    void cluster(AclOperation op) {
      add(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, op);
    }

    private void add(ResourceType type, String name, PatternType pattern, AclOperation op) {
      bindings.add(
          new AclBinding(
              new ResourcePattern(type, name, pattern),
              new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
    }
  }
}
