package dev.rmm.api.writer;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.contracts.kafka.KafkaSecurity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Creates rmm's topics with explicit settings when they are missing, and refuses to start when
 * existing ones disagree with what the single writer needs.
 *
 * <ul>
 *   <li>events: N partitions, kept forever ({@code retention.ms=-1}, {@code cleanup.policy=delete}
 *       with no deadline: never compacted, never deleted)
 *   <li>commands, one topic per sender (other release-api instances, the gateway, the
 *       orchestrator): N partitions each (the same N), kept 7 days
 *   <li>command results: N partitions, kept 1 day
 *   <li>alerts (for the gateway's alerts chat): 1 partition, kept 1 day
 * </ul>
 */
@ApplicationScoped
public class TopicSetup {

  private static final Logger LOG = Logger.getLogger(TopicSetup.class);

  private final RmmApiConfig config;
  private final String bootstrap;

  TopicSetup(
      RmmApiConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.config = config;
    this.bootstrap = bootstrap;
  }

  public void ensureTopics() {
    RmmApiConfig.Topics t = config.topics();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(KafkaSecurity.fromEnvironment().applyTo(p))) {
      List<NewTopic> wanted = new ArrayList<>();
      wanted.add(
          new NewTopic(t.events(), t.partitions(), t.replicationFactor())
              .configs(
                  Map.of(
                      TopicConfig.RETENTION_MS_CONFIG, "-1",
                      TopicConfig.RETENTION_BYTES_CONFIG, "-1",
                      TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)));
      for (String commands : List.of(t.commands(), t.gatewayCommands(), t.orchestratorCommands())) {
        wanted.add(
            new NewTopic(commands, t.partitions(), t.replicationFactor())
                .configs(
                    Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(7L * 24 * 3600_000))));
      }
      wanted.add(
          new NewTopic(t.results(), t.partitions(), t.replicationFactor())
              .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(24L * 3600_000))));
      wanted.add(
          new NewTopic(t.alerts(), 1, t.replicationFactor())
              .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(24L * 3600_000))));
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = wanted.stream().filter(n -> !existing.contains(n.name())).toList();
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
          LOG.infof("Created topics %s", missing.stream().map(NewTopic::name).toList());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      Map<String, TopicDescription> described =
          admin
              .describeTopics(
                  List.of(t.events(), t.commands(), t.gatewayCommands(), t.orchestratorCommands()))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS);
      for (TopicDescription d : described.values()) {
        if (d.partitions().size() != t.partitions()) {
          throw new IllegalStateException(
              "topic "
                  + d.name()
                  + " has "
                  + d.partitions().size()
                  + " partitions but rmm.topics.partitions is "
                  + t.partitions()
                  + "; the events and commands topics must both have exactly that many");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "cannot create or check rmm's Kafka topics at " + bootstrap + ": " + e.getMessage(), e);
    }
  }
}
