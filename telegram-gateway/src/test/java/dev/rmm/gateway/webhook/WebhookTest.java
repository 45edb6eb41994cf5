package dev.rmm.gateway.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.gateway.outage.RestartableRedis;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Webhook mode: registered with Telegram with its secret, and nothing without that secret. */
@QuarkusTest
@WithTestResource(RestartableRedis.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(WebhookTest.WebhookMode.class)
class WebhookTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  static final String SECRET = "s3cret_webhook-token";
  static final String URL = "https://rmm.example.com/telegram/webhook";

  /** The gateway in webhook mode against the fake Bot API. */
  public static class WebhookMode implements QuarkusTestResourceLifecycleManager {
    private final FakeBotApi botApi = new FakeBotApi();

    @Override
    public Map<String, String> start() {
      Map<String, String> config = new HashMap<>(botApi.gatewayConfig());
      config.put("rmm.telegram.mode", "webhook");
      config.put("rmm.telegram.webhook-url", URL);
      config.put("rmm.telegram.webhook-secret", SECRET);
      // the users who may see releases (WebhookFuzzTest's random users may not)
      config.put("rmm.telegram.viewers", "5101,5102,5103,5104");
      return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
      FakeBotApi.Resource.inject(testInjector, botApi);
    }

    @Override
    public void stop() {
      botApi.close();
    }
  }

  @Test
  void atStartTheWebhookIsSetWithItsSecretAndTheUpdateTypesTheBotUses() {
    await().atMost(Duration.ofSeconds(10)).until(() -> !botApi.calls("setWebhook").isEmpty());
    var params = FakeBotApi.json(botApi.calls("setWebhook").get(0));
    assertThat(params.path("url").asText()).isEqualTo(URL);
    assertThat(params.path("secret_token").asText()).isEqualTo(SECRET);
    assertThat(params.path("allowed_updates").toString())
        .contains("message")
        .contains("callback_query");
    assertThat(botApi.attempts("getUpdates")).as("no long polling in webhook mode").isZero();
  }

  @Test
  void withoutTheSecretOrWithAWrongOne_theUpdateIsRefusedAndNotHandled() {
    String update = botApi.message(71, 5101, "Eve", "en", "/start");
    given()
        .contentType("application/json")
        .body(update)
        .post("/telegram/webhook")
        .then()
        .statusCode(401);
    given()
        .contentType("application/json")
        .header(WebhookResource.SECRET_HEADER, "wrong")
        .body(update)
        .post("/telegram/webhook")
        .then()
        .statusCode(401);
    given()
        .contentType("application/json")
        .header(WebhookResource.SECRET_HEADER, SECRET)
        .body("{not json")
        .post("/telegram/webhook")
        .then()
        .statusCode(400);
    assertThat(messagesTo(5101)).isZero();
  }

  @Test
  void withTheSecret_theUpdateIsAcceptedAndAnswered() {
    given()
        .contentType("application/json")
        .header(WebhookResource.SECRET_HEADER, SECRET)
        .body(botApi.message(72, 5102, "Ann", "en", "/start"))
        .post("/telegram/webhook")
        .then()
        .statusCode(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> messagesTo(5102) == 1);
    assertThat(botApi.messages(5102).get(0).text()).startsWith("👋 Hello, Ann!");
  }

  @Test
  void givenTelegramRedeliversAnUpdate_thenItIsAnsweredOnce() {
    String update = botApi.message(73, 5103, "Bob", "en", "/start");
    for (int i = 0; i < 2; i++) {
      given()
          .contentType("application/json")
          .header(WebhookResource.SECRET_HEADER, SECRET)
          .body(update)
          .post("/telegram/webhook")
          .then()
          .statusCode(200);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> messagesTo(5103) >= 1);
    await() // and no wrong second answer shows up meanwhile
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> messagesTo(5103) == 1);
  }

  @Test
  void givenRedisIsDown_thenTheUpdateIsAnswered503ToBeDeliveredAgain_andHandledOnceWhenItIsBack() {
    String update = botApi.message(74, 5104, "Kim", "en", "/start");
    RestartableRedis.stopServer();
    try {
      given()
          .contentType("application/json")
          .header(WebhookResource.SECRET_HEADER, SECRET)
          .body(update)
          .post("/telegram/webhook")
          .then()
          .statusCode(503)
          .header("Retry-After", "5")
          .contentType("application/problem+json");
    } finally {
      RestartableRedis.startServer();
    }
    assertThat(messagesTo(5104)).isZero();

    // Telegram delivers it again, and again (its answer to the first redelivery was lost)
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                given()
                        .contentType("application/json")
                        .header(WebhookResource.SECRET_HEADER, SECRET)
                        .body(update)
                        .post("/telegram/webhook")
                        .statusCode()
                    == 200);
    given()
        .contentType("application/json")
        .header(WebhookResource.SECRET_HEADER, SECRET)
        .body(update)
        .post("/telegram/webhook")
        .then()
        .statusCode(200);
    assertThat(messagesTo(5104)).isEqualTo(1);
  }

  private static long messagesTo(long chat) {
    return botApi.calls("sendMessage").stream()
        .map(FakeBotApi::json)
        .filter(n -> n.path("chat_id").asText().equals(Long.toString(chat)))
        .count();
  }
}
