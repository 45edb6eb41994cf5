package dev.rmm.gateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rmm.gateway.fuzz.FuzzInput;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Telegram's webhook endpoint against hostile requests, over HTTP: any body with the right secret,
 * a wrong one or none is answered 200 or 4xx, never 5xx, and a request without the right secret is
 * always 401 (never read, never handled).
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(WebhookTest.WebhookMode.class)
class WebhookFuzzTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TestHTTPResource("/telegram/webhook")
  URI webhook;

  @FuzzTest(maxDuration = "30m")
  void givenAnyBodyAndSecret_thenOnly200Or4xx_andAWrongSecretIsNeverHandled(byte[] bytes)
      throws IOException, InterruptedException {
    FuzzInput in = new FuzzInput(bytes);
    int secretKind = in.consumeInt(0, 2);
    String secret =
        switch (secretKind) {
          case 0 -> WebhookTest.SECRET;
          case 1 -> in.consumeString(300);
          default -> null;
        };
    byte[] body = in.consumeRemainingAsBytes();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(webhook)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (secret != null && isHeaderValue(secret)) {
      request.header(WebhookResource.SECRET_HEADER, secret);
    } else {
      secret = null;
    }

    int status = HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();

    assertThat(status).as("status").isIn(200, 400, 401, 413);
    if (!WebhookTest.SECRET.equals(secret)) {
      assertThat(status).as("without the right secret").isEqualTo(401);
    }
  }

  /** What the JDK client sends as a header value (visible ASCII, no leading or trailing space). */
  private static boolean isHeaderValue(String s) {
    return !s.isEmpty() && s.strip().equals(s) && s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
  }
}
