package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.local.RmmService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The four services start from their built jars against one Kafka, Postgres and Redis. */
class LocalStackSmokeTest {

  @RegisterExtension static final StackExtension stack = new StackExtension();

  private final HttpClient http = HttpClient.newHttpClient();

  @ParameterizedTest
  @EnumSource(RmmService.class)
  void everyServiceReportsItselfUp(RmmService service) throws Exception {
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create(stack.baseUrl(service) + "/q/health"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    assertThat(health.body()).containsPattern("^\\{\\s*\"status\"\\s*:\\s*\"UP\"");
  }
}
