package dev.rmm.api.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's login doors given hostile input: a NUL or a bidirectional override in a field, a
 * field of a megabyte. Each gets a clear refusal (a 4xx that says why, or the greeting with the
 * character named as U+XXXX), never a 5xx and never a session for a token rmm does not know.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ConsoleHostileLoginTest {

  /** application.properties' %test.rmm.console.telegram-bot-token. */
  private static final String BOT_TOKEN = "123456:console-test-bot";

  private static final String MEGABYTE = "a".repeat(1 << 20);

  @Inject Pool pg;

  private ReadModelStandIn readModel;

  @BeforeEach
  void ready() {
    Api.awaitReady();
    readModel = new ReadModelStandIn(pg);
    readModel.create(); // the board greets the user
  }

  @AfterEach
  void tearDown() {
    readModel.drop(); // the other tests run without a read model
  }

  private static Response tokenLogin(String token) {
    Response page = given().get("/console/login");
    String html = page.asString();
    int at = html.indexOf("name=\"csrf\" value=\"");
    String csrf = html.substring(at + 19, html.indexOf('"', at + 19));
    return given()
        .redirects()
        .follow(false)
        .contentType("application/x-www-form-urlencoded; charset=UTF-8")
        .cookie(
            ConsoleLoginResource.LOGIN_COOKIE, page.getCookie(ConsoleLoginResource.LOGIN_COOKIE))
        .formParam("token", token)
        .formParam("csrf", csrf)
        .post("/console/login/token?lang=en");
  }

  /** Widget data for user 1001 (an approver) called {@code firstName}, signed as Telegram does. */
  private static Map<String, String> signed(String firstName) throws Exception {
    Map<String, String> f = new TreeMap<>();
    f.put("id", "1001");
    f.put("first_name", firstName);
    f.put("auth_date", String.valueOf(Instant.now().getEpochSecond()));
    String dcs =
        f.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n"));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            MessageDigest.getInstance("SHA-256").digest(BOT_TOKEN.getBytes(StandardCharsets.UTF_8)),
            "HmacSHA256"));
    Map<String, String> out = new LinkedHashMap<>(f);
    out.put("hash", HexFormat.of().formatHex(mac.doFinal(dcs.getBytes(StandardCharsets.UTF_8))));
    return out;
  }

  @Test
  void givenATokenWithANulOrABidiOverride_whenLoggingIn_thenA403SaysTheTokenIsNotAccepted() {
    for (String token : new String[] {Api.ADMIN + "\u0000", "\u202E" + Api.ADMIN, "\u0000"}) {
      Response r = tokenLogin(token);

      assertThat(r.statusCode()).as(r.asString()).isEqualTo(403);
      assertThat(r.asString()).contains("rmm does not accept this token");
      assertThat(r.getCookie(SessionCookies.NAME)).isNull();
    }
  }

  @Test
  void givenATokenFieldUnderTheBodyLimitButOverAFormFieldsLimit_whenLoggingIn_thenA413() {
    Response r = tokenLogin("t".repeat(60_000));

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.getCookie(SessionCookies.NAME)).isNull();
  }

  @Test
  void givenAMegabyteTokenField_whenLoggingIn_thenItIsRefusedAsTooLargeNotA5xx() {
    Response r = tokenLogin(MEGABYTE);

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.getCookie(SessionCookies.NAME)).isNull();
  }

  @Test
  void givenAMegabyteTelegramField_whenLoggingIn_thenItIsRefusedNotA5xx() {
    Response r =
        given()
            .redirects()
            .follow(false)
            .queryParam("id", "1001")
            .queryParam("first_name", MEGABYTE)
            .get("/console/login/telegram");

    assertThat(r.statusCode()).isBetween(400, 499);
    assertThat(r.getCookie(SessionCookies.NAME)).isNull();
  }

  @Test
  void givenUnsignedTelegramDataWithANul_whenLoggingIn_thenA403SaysItIsNotSigned() {
    Response r =
        given()
            .redirects()
            .follow(false)
            .queryParam("id", "1001\u0000")
            .queryParam("first_name", "Al\u0000ice")
            .queryParam("auth_date", "1")
            .queryParam("hash", "0".repeat(64))
            .get("/console/login/telegram?lang=en");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.asString()).contains("not signed by this bot").doesNotContain("\u0000");
  }

  @Test
  void givenASignedNameWithABidiOverrideAndANul_whenLoggedIn_thenTheGreetingNamesThemAsCodePoints()
      throws Exception {
    Response login =
        given()
            .redirects()
            .follow(false)
            .queryParams(signed("Eve\u202Egnp.exe\u0000"))
            .get("/console/login/telegram");
    assertThat(login.statusCode()).as(login.asString()).isEqualTo(200);

    String board =
        given()
            .cookie(SessionCookies.NAME, login.getCookie(SessionCookies.NAME))
            .get("/console/board?lang=en")
            .asString();

    assertThat(board).contains("EveU+202Egnp.exeU+0000").doesNotContain("\u202E", "\u0000");
  }
}
