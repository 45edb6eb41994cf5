package dev.rmm.api.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.api.support.ReleaseLog;
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
 * The web console's doors over HTTP: who gets in (the admin token, a Telegram user the policy
 * knows), who is refused with a 403 page (a stranger, a forged or old Telegram login, a repository
 * token, a form from another origin), what the session cookie is, and that it opens nothing of the
 * API. The browser's view of the same is deploy/e2e's ConsoleBrowserTest.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class ConsoleLoginTest {

  /** application.properties' %test.rmm.console.telegram-bot-token. */
  private static final String BOT_TOKEN = "123456:console-test-bot";

  @Inject Pool pg;

  private ReadModelStandIn readModel;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    readModel = new ReadModelStandIn(pg);
    readModel.create();
  }

  @AfterEach
  void tearDown() {
    readModel.drop(); // the other tests run without a read model
  }

  /** The login page's form value and the cookie it is signed against. */
  private record LoginForm(String csrf, String cookie) {}

  private static LoginForm loginForm() {
    Response page = given().redirects().follow(false).get("/console/login");
    assertThat(page.statusCode()).isEqualTo(200);
    String html = page.asString();
    int at = html.indexOf("name=\"csrf\" value=\"");
    assertThat(at).as(html).isPositive();
    String csrf = html.substring(at + 19, html.indexOf('"', at + 19));
    return new LoginForm(csrf, page.getCookie(ConsoleLoginResource.LOGIN_COOKIE));
  }

  private static Response tokenLogin(String token, LoginForm form, String origin) {
    var req =
        given()
            .redirects()
            .follow(false)
            .contentType("application/x-www-form-urlencoded")
            .formParam("token", token)
            .formParam("csrf", form.csrf());
    if (form.cookie() != null) {
      req.cookie(ConsoleLoginResource.LOGIN_COOKIE, form.cookie());
    }
    if (origin != null) {
      req.header("Origin", origin);
    }
    return req.post("/console/login/token");
  }

  private static String sessionOf(Response r) {
    String cookie = r.getCookie(SessionCookies.NAME);
    assertThat(cookie).as(r.asString()).isNotBlank();
    return cookie;
  }

  /** The widget's data for {@code id}, signed as Telegram signs it (computed here, on its own). */
  private static Map<String, String> telegramData(long id, long authDate, String token)
      throws Exception {
    Map<String, String> f = new TreeMap<>();
    f.put("id", String.valueOf(id));
    f.put("first_name", "Alice");
    f.put("username", "alice");
    f.put("auth_date", String.valueOf(authDate));
    String dcs =
        f.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n"));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)),
            "HmacSHA256"));
    Map<String, String> out = new LinkedHashMap<>(f);
    out.put("hash", HexFormat.of().formatHex(mac.doFinal(dcs.getBytes(StandardCharsets.UTF_8))));
    return out;
  }

  private static Response telegramLogin(Map<String, String> data) {
    return given().redirects().follow(false).queryParams(data).get("/console/login/telegram");
  }

  @Test
  void givenNoSession_whenTheBoardIsAsked_thenTheBrowserIsSentToTheLoginPage() {
    for (String path : new String[] {"/console", "/console/board", "/console/changes"}) {
      Response r = given().redirects().follow(false).get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(303);
      assertThat(r.header("Location")).as(path).endsWith("/console/login");
    }
  }

  @Test
  void givenTheAdminToken_whenLoggedIn_thenASignedStrictHttpOnlySessionOpensTheBoard() {
    String service = Api.newService();
    ReleaseLog log = new ReleaseLog();
    try {
      String id = Api.create(Api.ADMIN, Api.createBody(service, Api.BILLING_REPO));
      readModel.mirror(log, id);
    } finally {
      log.close();
    }

    Response login = tokenLogin(Api.ADMIN, loginForm(), "http://localhost:" + port());

    assertThat(login.statusCode()).as(login.asString()).isEqualTo(303);
    assertThat(login.header("Location")).endsWith("/console/board");
    String setCookie =
        login.headers().getValues("Set-Cookie").stream()
            .filter(c -> c.startsWith(SessionCookies.NAME + "="))
            .findFirst()
            .orElseThrow();
    assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
    assertThat(setCookie).contains("Path=/console").contains("Max-Age=28800");
    Response board =
        given().cookie(SessionCookies.NAME, sessionOf(login)).get("/console/board?lang=en");
    assertThat(board.statusCode()).isEqualTo(200);
    assertThat(board.asString()).contains("Active releases").contains(service).contains("v1.2.3");
    assertThat(board.header("Content-Security-Policy")).contains("default-src 'self'");
  }

  @Test
  void givenAStrangersOrARepositorysToken_whenLoggingIn_thenA403PageSaysWhy() {
    Response wrong = tokenLogin("no-such-token", loginForm(), null);
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(wrong.asString()).contains("rmm does not accept this token");
    assertThat(wrong.getCookie(SessionCookies.NAME)).isNull();

    Response pipeline = tokenLogin(Api.BILLING, loginForm(), null);
    assertThat(pipeline.statusCode()).isEqualTo(403);
    assertThat(pipeline.asString()).contains("the console needs the admin token");
  }

  @Test
  void givenAFormFromAnotherOriginOrWithoutItsValue_whenPosted_thenItIsRefused() {
    Response otherSite = tokenLogin(Api.ADMIN, loginForm(), "https://evil.example");
    assertThat(otherSite.statusCode()).isEqualTo(403);
    assertThat(otherSite.asString()).contains("came from another site");

    LoginForm form = loginForm();
    Response noCookie = tokenLogin(Api.ADMIN, new LoginForm(form.csrf(), null), null);
    assertThat(noCookie.statusCode()).isEqualTo(403);

    Response forged = tokenLogin(Api.ADMIN, new LoginForm("0".repeat(64), form.cookie()), null);
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(forged.getCookie(SessionCookies.NAME)).isNull();
  }

  @Test
  void givenTelegramDataOfAnApproverOrAViewer_whenLoggingIn_thenTheyGetASession() throws Exception {
    long now = Instant.now().getEpochSecond();
    for (long user : new long[] {1001, 1005}) {
      Response r = telegramLogin(telegramData(user, now, BOT_TOKEN));
      assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
      // a page of ours moves on to the board (a redirect would not carry the Strict cookie)
      assertThat(r.asString()).contains("url=/console/board");
      Response board = given().cookie(SessionCookies.NAME, sessionOf(r)).get("/console/board");
      assertThat(board.statusCode()).isEqualTo(200);
      assertThat(board.asString()).contains("Alice");
    }
  }

  @Test
  void givenAStrangerOrForgedOrOldTelegramData_whenLoggingIn_thenA403PageSaysWhy()
      throws Exception {
    long now = Instant.now().getEpochSecond();
    Map<String, String> forged = telegramData(1001, now, BOT_TOKEN);
    forged.put("id", "1002");
    Map<String, Map<String, String>> cases = new LinkedHashMap<>();
    cases.put("not an approver, admin or viewer", telegramData(9999, now, BOT_TOKEN));
    cases.put("not signed by this bot", telegramData(1001, now, "123456:another-bot"));
    cases.put("not signed by this bot ", forged);
    cases.put("older than a day", telegramData(1001, now - 86_400 - 60, BOT_TOKEN));

    cases.forEach(
        (why, data) -> {
          Response r = telegramLogin(data);
          assertThat(r.statusCode()).as(why).isEqualTo(403);
          assertThat(r.asString()).as(why).contains("Access refused").contains(why.strip());
          assertThat(r.getCookie(SessionCookies.NAME)).as(why).isNull();
        });
  }

  @Test
  void givenATamperedSessionCookie_whenTheBoardIsAsked_thenItCountsAsNoSession() {
    String session = sessionOf(tokenLogin(Api.ADMIN, loginForm(), null));
    String tampered =
        session.substring(0, session.length() - 1) + (session.endsWith("0") ? "1" : "0");

    Response r =
        given()
            .redirects()
            .follow(false)
            .cookie(SessionCookies.NAME, tampered)
            .get("/console/board");

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.header("Location")).endsWith("/console/login");
  }

  @Test
  void givenAConsoleSession_whenTheApiIsCalledWithIt_thenTheApiStillWantsAToken() {
    String session = sessionOf(tokenLogin(Api.ADMIN, loginForm(), null));

    Response r = given().cookie(SessionCookies.NAME, session).get("/api/v1/releases");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.contentType()).startsWith(Api.PROBLEM_JSON);
  }

  @Test
  void givenASession_whenLoggingOutWithAndWithoutTheFormsValue_thenOnlyTheFormEndsIt() {
    String session = sessionOf(tokenLogin(Api.ADMIN, loginForm(), null));
    String board = given().cookie(SessionCookies.NAME, session).get("/console/board").asString();
    int at = board.indexOf("name=\"csrf\" value=\"");
    String csrf = board.substring(at + 19, board.indexOf('"', at + 19));

    Response forged =
        given()
            .redirects()
            .follow(false)
            .cookie(SessionCookies.NAME, session)
            .contentType("application/x-www-form-urlencoded")
            .formParam("csrf", "nope")
            .post("/console/logout");
    assertThat(forged.statusCode()).isEqualTo(403);

    Response out =
        given()
            .redirects()
            .follow(false)
            .cookie(SessionCookies.NAME, session)
            .contentType("application/x-www-form-urlencoded")
            .formParam("csrf", csrf)
            .post("/console/logout");
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().getValues("Set-Cookie"))
        .anyMatch(c -> c.startsWith(SessionCookies.NAME + "=") && c.contains("Max-Age=0"));
  }

  @Test
  void givenRussianInAcceptLanguageOrLangRu_whenTheLoginPageIsAsked_thenItIsInRussian() {
    assertThat(
            given()
                .header("Accept-Language", "ru-RU,ru;q=0.9,en;q=0.5")
                .get("/console/login")
                .asString())
        .contains("Вход в rmm")
        .contains("<html lang=\"ru\">");
    Response en = given().header("Accept-Language", "ru").get("/console/login?lang=en");
    assertThat(en.asString()).contains("Log in to rmm");
    assertThat(en.getCookie(ConsolePages.LANG_COOKIE)).isEqualTo("en");
  }

  private static int port() {
    return io.restassured.RestAssured.port;
  }
}
