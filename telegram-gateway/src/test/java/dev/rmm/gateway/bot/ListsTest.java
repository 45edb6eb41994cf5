package dev.rmm.gateway.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.gateway.outage.ReadModelRows;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeBotApi.SentMessage;
import dev.rmm.testsupport.PostgresTestResource;
import dev.rmm.testsupport.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lists as a team with many services uses them (issue 15, point 7): a service picker before
 * each list, a list narrowed to the picked service, {@code /release <service> <tag>} and {@code
 * /history <service>}, on the read model in Postgres as release-projector writes it. User 7101 is
 * the releases' admin (so the bot lets them in); 7199 is nobody.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(FakeBotApi.Resource.class)
@WithTestResource(PostgresTestResource.class)
class ListsTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final long USER = 7101;
  private static final long STRANGER = 7199;
  private static final AtomicInteger UPDATE_IDS = new AtomicInteger(9_100_001);
  private static final Instant T = Instant.parse("2026-04-01T09:00:00Z");

  @Inject Pool pg;

  @BeforeEach
  void readModel() {
    ReadModelRows.ensureSchema(pg);
  }

  @Test
  void givenTwoServicesWithActiveReleases_whenTheListIsOpened_thenAPickerAndTheServicesCards() {
    String a = "pick-a-" + suffix();
    String b = "pick-b-" + suffix();
    insert(a, "v1.0.0", "manual_testing", T);
    insert(a, "v1.1.0", "stage_building", T.plusSeconds(60));
    insert(b, "v7.0.0", "manual_testing", T.plusSeconds(120));

    int menu = startAndAwaitMenu();
    press(menu, message(menu).button("🚀 Active releases"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> message(menu).text().equals("🚀 Active releases: which service?"));
    List<String> buttons = message(menu).buttonTexts();
    assertThat(buttons).contains(a + " (2)", b + " (1)", "🏠 Main menu");
    assertThat(buttons).anyMatch(t -> t.startsWith("📋 All services ("));
    assertThat(buttons.indexOf(b + " (1)"))
        .as("the service with the newest release first")
        .isLessThan(buttons.indexOf(a + " (2)"));

    press(menu, message(menu).button(a + " (2)"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> message(menu).text().startsWith("📦 Service: " + a + "\n🏷️ Tag: v1.1.0"));
    assertThat(message(menu).buttonTexts()).contains("📊 1/2");

    // the pager stays within the service: the next card is a's other release, then round again
    press(menu, message(menu).button("Next ➡️"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> message(menu).text().startsWith("📦 Service: " + a + "\n🏷️ Tag: v1.0.0"));
    press(menu, message(menu).button("Next ➡️"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> message(menu).text().startsWith("📦 Service: " + a + "\n🏷️ Tag: v1.1.0"));
  }

  @Test
  void givenAKnownRelease_whenReleaseCommandNamesIt_thenItsCardOpensAndBadInputGetsUsage() {
    String svc = "open-" + suffix();
    insert(svc, "v2.0.0", "deployed", T);
    insert(svc, "v2.1.0", "deployed", T.plusSeconds(60));

    send("/release " + svc + " v2.0.0");
    SentMessage card = awaitSent(t -> t.startsWith("📦 Service: " + svc + "\n🏷️ Tag: v2.0.0"));
    assertThat(card.buttonTexts()).contains("📊 2/2", "⏪ Rollback");

    send("/release " + svc + " v9.9.9");
    awaitSent(t -> t.equals("🔍 No release " + svc + " v9.9.9 is known"));
    send("/release " + svc);
    send("/release " + svc + " v1\u0000.0");
    send("/release " + svc + " v1\u202e0.2");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> sentTexts(t -> t.startsWith("ℹ️ Usage: /release")).size() == 3);
  }

  @Test
  void givenAServicesReleases_whenHistoryIsAsked_thenTheLastOnesNewestFirstWithOutcomes() {
    String svc = "hist-" + suffix();
    insert(svc, "v3.0.0", "deployed", T);
    insert(svc, "v3.1.0", "production_failed", T.plusSeconds(3600));
    insert(svc, "v3.2.0", "manual_testing", T.plusSeconds(7200));

    send("/history " + svc);
    SentMessage h = awaitSent(t -> t.startsWith("📜 " + svc));
    assertThat(h.text())
        .isEqualTo(
            "📜 "
                + svc
                + ": the last releases (3)\n"
                + "🏷️ v3.2.0 · 🧪 Manual testing · 01.04.2026 14:00\n"
                + "🏷️ v3.1.0 · 🔥 "
                + productionFailedWords()
                + " · 01.04.2026 13:00\n"
                + "🏷️ v3.0.0 · 🎉 Deployed · 01.04.2026 12:00");

    send("/history nothing-" + suffix());
    awaitSent(t -> t.startsWith("🔍 The service nothing-"));
  }

  @Test
  void givenAServicesDeliveries_whenStatsIsAsked_thenTheFiguresComeAsTheCaptionOfAChart() {
    String svc = "stats-" + suffix();
    Instant day = Instant.now().minus(Duration.ofDays(2));
    // deployed: 2 h from tag to production, 30 min waiting for approvals
    moments(
        svc,
        "v1.0.0",
        "deployed",
        day,
        day.plus(Duration.ofMinutes(10)),
        day.plus(Duration.ofMinutes(40)),
        day.plus(Duration.ofMinutes(100)),
        day.plus(Duration.ofMinutes(120)));
    // its production deploy failed: a failed change
    moments(
        svc,
        "v1.1.0",
        "production_failed",
        day.plus(Duration.ofHours(3)),
        null,
        null,
        day.plus(Duration.ofHours(4)),
        null);
    // older than the window: not counted
    moments(
        svc,
        "v0.9.0",
        "deployed",
        day.minus(Duration.ofDays(60)),
        null,
        null,
        day.minus(Duration.ofDays(60)),
        day.minus(Duration.ofDays(60)));

    send("/stats " + svc);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> photosTo(USER).stream().anyMatch(c -> c.contains(svc)));
    assertThat(photosTo(USER).stream().filter(c -> c.contains(svc)).findFirst().get())
        .isEqualTo(
            "📈 "
                + svc
                + " · the last 30 days\n"
                + "🚀 Deployments: 1 (0.2 a week)\n"
                + "⏱️ Lead time (median): 2 h 00 min\n"
                + "💥 Change failure rate: 50 % (1 of 2)\n"
                + "🛠️ Time to restore (median): —\n"
                + "⏳ Approval wait (median): 30 min\n"
                + "📊 The chart: deployments per day, oldest on the left.");

    send("/stats two words");
    awaitSent(t -> t.startsWith("ℹ️ Usage: /stats"));
  }

  @Test
  void givenAStranger_whenTheyAskForHistory_thenTheyAreRefusedAndShownNothing() {
    String svc = "secret-" + suffix();
    insert(svc, "v1.0.0", "deployed", T);
    botApi.push(
        botApi.message(UPDATE_IDS.getAndIncrement(), STRANGER, "Eve", "en", "/history " + svc));
    await().atMost(Duration.ofSeconds(15)).until(() -> !botApi.messages(STRANGER).isEmpty());
    assertThat(botApi.messages(STRANGER).get(0).text()).startsWith("🔒");
    assertThat(botApi.messages(STRANGER)).noneMatch(m -> m.text().contains(svc));
  }

  private static String productionFailedWords() {
    return dev.rmm.gateway.card.StatusTexts.of(
            dev.rmm.contracts.ReleaseStatus.PRODUCTION_FAILED, dev.rmm.gateway.Texts.Language.EN)
        .substring("🔥 ".length());
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  private static int startAndAwaitMenu() {
    send("/start");
    return awaitSent(t -> t.startsWith("👋 Hello, Ula!")).messageId();
  }

  private static void send(String text) {
    botApi.push(botApi.message(UPDATE_IDS.getAndIncrement(), USER, "Ula", "en", text));
  }

  private static SentMessage awaitSent(Predicate<String> text) {
    await().atMost(Duration.ofSeconds(15)).until(() -> !sentTexts(text).isEmpty());
    return botApi.messages(USER).stream().filter(m -> text.test(m.text())).findFirst().get();
  }

  private static List<String> sentTexts(Predicate<String> text) {
    return botApi.messages(USER).stream().map(SentMessage::text).filter(text).toList();
  }

  private static void press(int messageId, String data) {
    botApi.push(
        botApi.callback(UPDATE_IDS.getAndIncrement(), USER, "Ula", "en", USER, messageId, data));
  }

  private static SentMessage message(int messageId) {
    return botApi.messages(USER).stream()
        .filter(m -> m.messageId() == messageId)
        .findFirst()
        .orElseThrow();
  }

  /** The captions of the photos sent to a chat. */
  private static List<String> photosTo(long chat) {
    return botApi.calls("sendPhoto").stream()
        .map(FakeBotApi::json)
        .filter(p -> p.path("chat_id").asLong() == chat)
        .filter(p -> uploaded(p, "photo").equals("stats.png"))
        .map(p -> p.path("caption").asText())
        .toList();
  }

  /**
   * The file name of an uploaded file parameter: the part itself, or the part it names with {@code
   * attach://<part>} (how telegrambots uploads a photo).
   */
  private static String uploaded(JsonNode params, String name) {
    String value = params.path(name).asText();
    return value.startsWith("attach://")
        ? params.path(value.substring("attach://".length())).asText()
        : value;
  }

  /** A release row with the moments the delivery figures are measured between. */
  private void moments(
      String service,
      String tag,
      String status,
      Instant created,
      Instant manualTesting,
      Instant decided,
      Instant deploying,
      Instant deployed) {
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag, status,"
                + " outcome, initiated_by, github_run_id, github_action_link, github_ref,"
                + " repository, commit_sha, required_approvers, quorum, admins, version,"
                + " created_at, started_at, updated_at, manual_testing_at, decided_at,"
                + " deploying_at, deployed_at) VALUES ($1, $2, $3, $4, $5, 'dave', '1',"
                + " 'https://github.com/acme/x/actions/runs/1', 'refs/tags/' || $3, 'acme/x',"
                + " 'abc1234', '[]'::jsonb, 1, '[7101]'::jsonb, 9, $6, $6, $6, $7, $8, $9, $10)")
        .execute(
            Tuple.from(
                java.util.Arrays.asList(
                    UUID.randomUUID().toString(),
                    service,
                    tag,
                    status,
                    dev.rmm.contracts.ReleaseStatus.fromWire(status).outcome().wire(),
                    at(created),
                    at(manualTesting),
                    at(decided),
                    at(deploying),
                    at(deployed))))
        .await()
        .atMost(Duration.ofSeconds(10));
  }

  private static java.time.OffsetDateTime at(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  /** One release row as the projector writes it; USER is its admin. */
  private void insert(String service, String tag, String status, Instant created) {
    String outcome = dev.rmm.contracts.ReleaseStatus.fromWire(status).outcome().wire();
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag, status,"
                + " outcome, initiated_by, github_run_id, github_action_link, github_ref,"
                + " repository, commit_sha, required_approvers, quorum, admins, version,"
                + " created_at, started_at, updated_at, deployed_at) VALUES ($1, $2, $3, $4, $5,"
                + " 'dave', '1', 'https://github.com/acme/x/actions/runs/1', 'refs/tags/' || $3,"
                + " 'acme/x', 'abc1234', '[]'::jsonb, 1, '[7101]'::jsonb, 9, $6::timestamptz, $6::timestamptz, $6::timestamptz,"
                + " CASE WHEN $4 = 'deployed' THEN $6::timestamptz END)")
        .execute(
            Tuple.of(
                UUID.randomUUID().toString(),
                service,
                tag,
                status,
                outcome,
                created.atOffset(ZoneOffset.UTC)))
        .await()
        .atMost(Duration.ofSeconds(10));
  }
}
