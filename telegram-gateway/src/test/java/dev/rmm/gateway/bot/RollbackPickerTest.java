package dev.rmm.gateway.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.gateway.outage.ReadModelRows;
import dev.rmm.testsupport.FakeBotApi;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rollback picker offers what release-api will accept, and says what really runs in production.
 * A service's history in the read model (as release-projector's migrations make it): v1 deployed;
 * v2 deployed and rolled back to v1 as broken; v3 deployed (its card is pressed); v4 deployed after
 * it, so production runs v4; v5 failed in production.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(FakeBotApi.Resource.class)
@WithTestResource(PostgresTestResource.class)
class RollbackPickerTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final long ADMIN = 7001;
  private static final AtomicInteger UPDATE_IDS = new AtomicInteger(9_000_001);

  @Inject Pool pg;

  @BeforeEach
  void readModel() {
    ReadModelRows.ensureSchema(pg);
  }

  @Test
  void givenARolledBackAndANewerRelease_whenAnAdminPressesRollback_thenOnlyV1AndProductionV4()
      throws Exception {
    String service = "cart-" + UUID.randomUUID().toString().substring(0, 8);
    Instant t = Instant.parse("2026-03-01T10:00:00Z");
    insert(service, "v1", "deployed", t, null, "");
    insert(
        service,
        "v2",
        "rollback_done",
        t.plus(1, ChronoUnit.DAYS),
        t.plus(26, ChronoUnit.HOURS),
        "v1");
    String v3 = insert(service, "v3", "deployed", t.plus(2, ChronoUnit.DAYS), null, "");
    insert(service, "v4", "deployed", t.plus(3, ChronoUnit.DAYS), null, "");
    insert(service, "v5", "production_failed", null, null, "");

    // the admin opens v3's card as the bot shows it (successful releases) and presses its Rollback
    botApi.push(botApi.message(UPDATE_IDS.getAndIncrement(), ADMIN, "Olga", "en", "/start"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> botApi.messages(ADMIN).stream().anyMatch(m -> isMenu(m)));
    int menu = botApi.messages(ADMIN).stream().filter(m -> isMenu(m)).findFirst().get().messageId();
    press(menu, message(menu).button("✅ Successful releases"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> message(menu).text().equals("✅ Successful releases: which service?"));
    press(menu, message(menu).button(service + " (3)")); // v1, v3, v4; v2 and v5 are failures
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> message(menu).text().startsWith("📦 Service: " + service));
    pageTo(menu, v3);
    press(menu, message(menu).button("⏪ Rollback"));

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> botApi.messages(ADMIN).stream().anyMatch(m -> m.text().startsWith("⏪")));
    FakeBotApi.SentMessage picker =
        botApi.messages(ADMIN).stream().filter(m -> m.text().startsWith("⏪")).findFirst().get();
    assertThat(picker.text()).isEqualTo("⏪ Roll " + service + " (now v4) back to which tag?");
    List<String> buttons = new ArrayList<>();
    for (JsonNode row : picker.replyMarkup().path("inline_keyboard")) {
      row.forEach(b -> buttons.add(b.path("text").asText()));
    }
    assertThat(buttons).hasSize(2);
    assertThat(buttons.get(0)).isEqualTo("v1 · 01.03.2026 13:00"); // Moscow time
    assertThat(buttons.get(1)).isEqualTo("↩️ Cancel");
  }

  private static boolean isMenu(FakeBotApi.SentMessage m) {
    return m.text().startsWith("👋 Hello, Olga!");
  }

  private static void press(int messageId, String data) {
    botApi.push(
        botApi.callback(UPDATE_IDS.getAndIncrement(), ADMIN, "Olga", "en", ADMIN, messageId, data));
  }

  private static FakeBotApi.SentMessage message(int messageId) {
    return botApi.messages(ADMIN).stream()
        .filter(m -> m.messageId() == messageId)
        .findFirst()
        .orElseThrow();
  }

  /** Pages the list shown in the message until it shows the release's card. */
  private static void pageTo(int messageId, String releaseId) {
    for (int i = 0; i < 50; i++) {
      FakeBotApi.SentMessage shown = message(messageId);
      if (shown.buttonData().stream().anyMatch(d -> d.contains(releaseId))) {
        return;
      }
      String before = shown.text() + shown.buttonData();
      press(messageId, shown.button("Next ➡️"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                FakeBotApi.SentMessage now = message(messageId);
                return !(now.text() + now.buttonData()).equals(before);
              });
    }
    throw new AssertionError("release " + releaseId + " is not in the successful list");
  }

  /** One release row as the projector writes it; ADMIN is the release's admin. */
  private String insert(
      String service,
      String tag,
      String status,
      Instant deployedAt,
      Instant restoredAt,
      String to) {
    String id = UUID.randomUUID().toString();
    Instant created = deployedAt == null ? Instant.parse("2026-03-05T10:00:00Z") : deployedAt;
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag,"
                + " rollback_to_tag, status, outcome, initiated_by, github_run_id,"
                + " github_action_link, github_ref, repository, commit_sha, required_approvers,"
                + " quorum, admins, version, created_at, started_at, updated_at, deployed_at,"
                + " restored_at) VALUES ($1, $2, $3, $4, $5, $6, 'dave', '1',"
                + " 'https://github.com/acme/cart/actions/runs/1', 'refs/tags/' || $3, 'acme/cart',"
                + " 'abc1234', '[]'::jsonb, 1, '[7001]'::jsonb, 9, $7, $7, $7, $8, $9)")
        .execute(
            Tuple.from(
                Arrays.asList(
                    id,
                    service,
                    tag,
                    to,
                    status,
                    status.equals("deployed") ? "successful" : "failed",
                    created.atOffset(ZoneOffset.UTC),
                    deployedAt == null ? null : deployedAt.atOffset(ZoneOffset.UTC),
                    restoredAt == null ? null : restoredAt.atOffset(ZoneOffset.UTC))))
        .await()
        .atMost(Duration.ofSeconds(10));
    return id;
  }
}
