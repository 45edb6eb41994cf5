package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The web console (issue 16) in a real headless Chromium against the packaged services: log in,
 * watch a release walk its lifecycle on the board as the pipeline reports it (the projector's real
 * read model, pushed to the page over server-sent events, no reload), open its page and find the
 * timeline and its hash chain verified in the log; read the audit page as of a moment before and
 * after an approval (folded from the log, not the read model); and strangers refused. The
 * screenshots in docs/console/ are taken here.
 */
@Order(SharedStack.LAST)
class ConsoleBrowserTest {

  @RegisterExtension static final StackExtension stack = SharedStack.extension();

  private static WebDriver browser;

  @BeforeAll
  static void startBrowser() {
    browser = HeadlessChromium.start(1280, 860);
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @BeforeEach
  void loggedOut() {
    browser.get(stack.apiUrl() + "/console/login?lang=en");
    browser.manage().deleteAllCookies();
  }

  private static ConditionFactory await() {
    // the live part is replaced while the test reads it: an element gone stale is read again
    return Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions();
  }

  private static String url(String path) {
    return stack.apiUrl() + path;
  }

  private static String status(String releaseId) {
    List<WebElement> rows = browser.findElements(By.id("release-" + releaseId));
    return rows.isEmpty() ? null : rows.get(0).getAttribute("data-status");
  }

  private static void loginWithToken() {
    browser.get(url("/console/login?lang=en"));
    browser.findElement(By.id("token")).sendKeys(stack.apiToken());
    browser.findElement(By.id("login")).click();
    await().until(() -> browser.getCurrentUrl().contains("/console/board"));
  }

  @Test
  void
      givenTheAdminToken_whenAReleaseWalksItsLifecycle_thenTheBoardFollowsLiveAndItsPageVerifiesTheChain() {
    HeadlessChromium.screenshot(browserAt(url("/console/login?lang=en")), "login");
    loginWithToken();
    String service = "console-" + UUID.randomUUID().toString().substring(0, 8);
    browser.get(url("/console/board?lang=en&outcome=any&service=" + service));
    await().until(() -> "● live".equals(browser.findElement(By.id("live")).getText()));
    // a reload would lose this mark: the page must change without one
    ((JavascriptExecutor) browser).executeScript("window.rmmNoReload = 'still here';");

    Pipeline pipeline = new Pipeline(stack);
    Http.Answer created =
        pipeline.api().post("/api/v1/releases", Http.createBody(service, "v2.0.0", "7001"));
    assertThat(created.status()).isEqualTo(201);
    String id = created.body().get("release_id").asText();
    await().until(() -> "initiated".equals(status(id)));

    for (String step : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      pipeline.step(id, step);
      await().until(() -> step.equals(status(id)));
    }
    pipeline.approve(id, 1001);
    await()
        .until(
            () ->
                browser
                    .findElement(By.cssSelector("#release-" + id + " .approvals"))
                    .getText()
                    .startsWith("1/2"));
    pipeline.approve(id, 1002);
    await().until(() -> "manual_test_passed".equals(status(id)));
    await()
        .untilAsserted(
            () ->
                assertThat(
                        browser
                            .findElement(By.cssSelector("#release-" + id + " .approvals"))
                            .getText())
                    .startsWith("2/2")
                    .contains("Alice QA")
                    .contains("Bob Lead"));
    for (String step : List.of("deploying", "deployed")) {
      pipeline.step(id, step);
      await().until(() -> step.equals(status(id)));
    }
    assertThat(((JavascriptExecutor) browser).executeScript("return window.rmmNoReload"))
        .isEqualTo("still here");
    await()
        .untilAsserted(
            () ->
                assertThat(
                        browser
                            .findElement(By.cssSelector("#release-" + id + " .status"))
                            .getText())
                    .isEqualTo("🎉 Deployed"));
    HeadlessChromium.screenshot(browser, "board");

    browser
        .findElement(By.cssSelector("#release-" + id + " a[href^='/console/releases/']"))
        .click();
    await().until(() -> !browser.findElements(By.id("timeline")).isEmpty());
    // the orchestrator's dispatch events may still come in: the live page follows them too
    await()
        .until(
            () ->
                browser.findElements(By.cssSelector("#timeline tr.event")).size()
                    == pipeline.release(id).path("version").asLong());
    long version = pipeline.release(id).path("version").asLong();
    await()
        .until(
            () ->
                browser
                    .findElement(By.id("chain"))
                    .getText()
                    .equals("✅ verified up to event " + version));
    await()
        .untilAsserted(
            () -> {
              List<WebElement> events = browser.findElements(By.cssSelector("#timeline tr.event"));
              assertThat(events).hasSize((int) version);
              assertThat(events.get(0).findElement(By.className("type")).getText())
                  .isEqualTo("release.created.v1");
              assertThat(events.stream().map(e -> e.findElement(By.className("type")).getText()))
                  .contains("release.quorum-reached.v1");
              assertThat(events.get(0).findElement(By.className("trace")).getText())
                  .matches("[0-9a-f]{32}");
            });
    // the shared stack has no GitHub token: the dispatch is recorded as failed, and shown so
    await()
        .untilAsserted(
            () ->
                assertThat(browser.findElement(By.cssSelector("dl.card")).getText())
                    .contains("🆘 GitHub: the production workflow could not be started ("));
    HeadlessChromium.screenshot(browser, "release");

    // the service's page: the tag in production, deploys per week drawn, the DORA figures
    browser.get(url("/console/services/" + service + "?lang=en"));
    // the page is live too: its part may be replaced while it is read
    await()
        .untilAsserted(
            () -> {
              assertThat(browser.findElement(By.id("production")).getText())
                  .isEqualTo("🚀 In production now: v2.0.0");
              List<WebElement> bars = browser.findElements(By.cssSelector("#weekly g.bar"));
              assertThat(bars).hasSize(12);
              assertThat(
                      bars.stream()
                          .mapToLong(b -> Long.parseLong(b.getAttribute("data-count")))
                          .sum())
                  .isEqualTo(1);
              List<WebElement> dora = browser.findElements(By.cssSelector("#dora tbody tr"));
              assertThat(dora).hasSize(5);
              assertThat(dora.get(0).getText()).startsWith("Deployment frequency 1 (0.14/day)");
              assertThat(dora.get(2).getText())
                  .isEqualTo("Change failure rate 0% (0/1) 0% (0/1) 0% (0/1)");
            });
    HeadlessChromium.screenshot(browser, "service");

    browser.get(url("/console/board?lang=ru&outcome=any&service=" + service));
    await()
        .untilAsserted(
            () ->
                assertThat(
                        browser
                            .findElement(By.cssSelector("#release-" + id + " .status"))
                            .getText())
                    .isEqualTo("🎉 В проде"));
    browser.manage().window().setSize(new Dimension(390, 844));
    try {
      HeadlessChromium.screenshot(browser, "board-phone-ru");
    } finally {
      browser.manage().window().setSize(new Dimension(1280, 860));
    }
  }

  /** The audit page's row of a release: its approvals as of the page's moment, or null. */
  private static String approvalsAsOf(String releaseId) {
    List<WebElement> rows =
        browser.findElements(
            By.cssSelector("#audit-releases tr[data-release='" + releaseId + "']"));
    return rows.isEmpty() ? null : rows.get(0).getAttribute("data-approvals");
  }

  @Test
  void givenAnApproval_whenTheAuditPageIsReadAsOfBeforeAndAfterIt_thenTheLogTellsTheDifference() {
    loginWithToken();
    String service = "audit-" + UUID.randomUUID().toString().substring(0, 8);
    Pipeline pipeline = new Pipeline(stack);
    String id = pipeline.toManualTesting(service, "v3.0.0", "7101");
    pipeline.approve(id, 1001);
    await().until(() -> !pipeline.events(id, "release.approval-granted.v1").isEmpty());
    // the read model keeps microseconds: a millisecond either side is clear of any rounding
    Instant approved =
        java.time.OffsetDateTime.parse(
                pipeline
                    .events(id, "release.approval-granted.v1")
                    .get(0)
                    .path("occurred_at")
                    .asText())
            .toInstant();

    browser.get(
        url("/console/audit?lang=en&service=" + service + "&at=" + approved.minusMillis(1)));
    assertThat(approvalsAsOf(id)).isEqualTo("0/2");
    assertThat(
            browser
                .findElement(By.cssSelector("tr[data-release='" + id + "']"))
                .getAttribute("data-status"))
        .isEqualTo("manual_testing");
    browser.get(url("/console/audit?lang=en&service=" + service + "&at=" + approved.plusMillis(1)));
    assertThat(approvalsAsOf(id)).isEqualTo("1/2");
    assertThat(browser.findElement(By.id("report")).getText())
        .contains("releases,")
        .contains("events");
    HeadlessChromium.screenshot(browser, "audit");

    // before the release was created the log knows nothing of it
    browser.get(url("/console/audit?lang=en&service=" + service + "&at=2000-01-01T00:00:00Z"));
    assertThat(approvalsAsOf(id)).isNull();
    assertThat(browser.findElement(By.id("as-of")).getText()).endsWith(": 0 releases");
  }

  @Test
  void givenStrangers_whenTheyTryToGetIn_thenTheyAreRefused() throws Exception {
    long now = Instant.now().getEpochSecond();
    Map<String, String> forged = telegram(1001, now, SharedStack.CONSOLE_BOT_TOKEN);
    forged.put("id", "1002");
    Map<String, Map<String, String>> strangers =
        Map.of(
            "not signed by this bot",
            forged,
            "older than a day",
            telegram(1001, now - 86_400 - 60, SharedStack.CONSOLE_BOT_TOKEN),
            "Telegram user 9999 is not an approver, admin or viewer",
            telegram(9999, now, SharedStack.CONSOLE_BOT_TOKEN));
    for (Map.Entry<String, Map<String, String>> s : new TreeMap<>(strangers).entrySet()) {
      browser.get(telegramUrl(s.getValue()));
      assertThat(browser.findElement(By.id("refused")).getText()).isEqualTo("Access refused");
      assertThat(browser.findElement(By.id("reason")).getText()).contains(s.getKey());
      assertThat(browser.manage().getCookieNamed("rmm_console")).isNull();
    }
    HeadlessChromium.screenshot(browser, "refused");

    // no cookie: the board sends the browser to the login page
    browser.get(url("/console/board"));
    await().until(() -> browser.getCurrentUrl().endsWith("/console/login"));

    // an approver gets in with Telegram; the same cookie changed in one character does not
    browser.get(telegramUrl(telegram(1001, now, SharedStack.CONSOLE_BOT_TOKEN)));
    await().until(() -> browser.getCurrentUrl().contains("/console/board"));
    assertThat(browser.findElement(By.id("user")).getText()).isEqualTo("Alice");
    Cookie session = browser.manage().getCookieNamed("rmm_console");
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Strict");
    String v = session.getValue();
    String tampered = v.substring(0, v.length() - 1) + (v.endsWith("0") ? "1" : "0");
    browser.manage().deleteCookieNamed("rmm_console");
    browser
        .manage()
        .addCookie(new Cookie.Builder("rmm_console", tampered).path("/console").build());
    browser.get(url("/console/board"));
    await().until(() -> browser.getCurrentUrl().endsWith("/console/login"));
  }

  private static WebDriver browserAt(String url) {
    browser.get(url);
    return browser;
  }

  private static String telegramUrl(Map<String, String> data) {
    return url(
        "/console/login/telegram?lang=en&"
            + data.entrySet().stream()
                .map(
                    e ->
                        e.getKey()
                            + "="
                            + java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
  }

  /** The widget's data for {@code id}, signed as Telegram documents it. */
  private static Map<String, String> telegram(long id, long authDate, String botToken)
      throws Exception {
    Map<String, String> f = new TreeMap<>();
    f.put("id", String.valueOf(id));
    f.put("first_name", "Alice");
    f.put("username", "alice");
    f.put("auth_date", String.valueOf(authDate));
    String dataCheckString =
        f.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n"));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            MessageDigest.getInstance("SHA-256").digest(botToken.getBytes(StandardCharsets.UTF_8)),
            "HmacSHA256"));
    f.put(
        "hash",
        HexFormat.of().formatHex(mac.doFinal(dataCheckString.getBytes(StandardCharsets.UTF_8))));
    return f;
  }
}
