package dev.rmm.gateway.access;

import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The gateway with a team chat and one configured viewer: a real broker whose topics exist before
 * the gateway starts (as release-api creates them), the fake Bot API, and a short wait for
 * release-api's answers (no release-api runs here: the commands the gateway sends are counted on
 * the commands topic, each being one event release-api would append).
 */
public class AccessTestStack implements QuarkusTestResourceLifecycleManager {

  static final long TEAM_CHAT = -1007001;
  static final long ALERTS_CHAT = -1007002;
  static final long VIEWER = 6603;
  // AccessTest's approver and admin: every class on this stack runs on one broker, where AccessTest
  // puts a policy in force whose default names these two, so a release's recorded approvers and
  // admins would not count after it; the classes that need an approver or an admin use these
  static final long APPROVER = 6604;
  static final long ADMIN = 6605;
  static final String EVENTS = "rmm.release-events";
  static final String COMMANDS = "rmm.gateway-commands";

  private final KafkaTestResource kafka = new KafkaTestResource();
  private final FakeBotApi botApi = new FakeBotApi();

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(kafka.start());
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get("kafka.bootstrap.servers"));
    try (Admin admin = Admin.create(p)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(EVENTS, 1, (short) 1),
                  new NewTopic(COMMANDS, 1, (short) 1),
                  new NewTopic("rmm.release-command-results", 1, (short) 1),
                  new NewTopic("rmm.alerts", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the topics", e);
    }
    config.putAll(botApi.gatewayConfig());
    config.put("rmm.telegram.team-chat-id", Long.toString(TEAM_CHAT));
    config.put("rmm.telegram.alerts-chat-id", Long.toString(ALERTS_CHAT));
    config.put("rmm.telegram.viewers", Long.toString(VIEWER));
    config.put("rmm.telegram.default-language", "en");
    config.put("rmm.telegram.command-timeout", "1s");
    return config;
  }

  @Override
  public void inject(TestInjector testInjector) {
    FakeBotApi.Resource.inject(testInjector, botApi);
  }

  @Override
  public void stop() {
    kafka.stop();
    botApi.close();
  }
}
