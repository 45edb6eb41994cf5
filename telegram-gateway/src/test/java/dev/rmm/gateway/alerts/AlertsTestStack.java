package dev.rmm.gateway.alerts;

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
 * The gateway with an alerts chat: a real broker whose topics exist before the gateway starts (as
 * release-api creates them in production), the fake Bot API, separate team and alerts chats, a
 * short de-duplication window and edit interval, frequent stuck checks, a Grafana URL, and the fake
 * chat-completions API without a key (AI notes off).
 */
public class AlertsTestStack implements QuarkusTestResourceLifecycleManager {

  static final long ALERTS_CHAT = -1009001;
  static final long TEAM_CHAT = -1009002;
  static final String GRAFANA = "http://grafana.test:3000";
  static final String EVENTS = "rmm.release-events";
  static final String ALERTS = "rmm.alerts";
  static final int WINDOW_SECONDS = 5;

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
              List.of(new NewTopic(EVENTS, 3, (short) 1), new NewTopic(ALERTS, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the topics", e);
    }
    config.putAll(botApi.gatewayConfig());
    config.put("rmm.telegram.team-chat-id", Long.toString(TEAM_CHAT));
    config.put("rmm.telegram.alerts-chat-id", Long.toString(ALERTS_CHAT));
    config.put("rmm.telegram.default-language", "en");
    config.put("rmm.alerts.window", WINDOW_SECONDS + "s");
    config.put("rmm.alerts.edit-interval", "500ms");
    config.put("rmm.alerts.stuck-after", "10m");
    config.put("rmm.alerts.stuck-check-every", "1s");
    config.put("rmm.grafana.url", GRAFANA);
    // a chat-completions API is there, but without a key no AI note is asked for
    config.put("rmm.ai.base-url", FakeChatCompletions.start());
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
