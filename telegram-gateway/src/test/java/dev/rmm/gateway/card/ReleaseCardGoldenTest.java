package dev.rmm.gateway.card;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.contracts.Outcome;
import dev.rmm.gateway.Golden;
import dev.rmm.gateway.ReleaseRows;
import dev.rmm.gateway.Texts.Language;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The card in both languages against golden files: every field of the mock-up, the status with its
 * emoji, the dates in the team's zone, the buttons and their callback data.
 */
class ReleaseCardGoldenTest {

  private static final Instant NOW = Instant.parse("2026-11-26T20:00:00Z");
  private static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");

  private final ObjectMapper json = new ObjectMapper();
  private final ReleaseCard cards =
      new ReleaseCard(new CallbackData("golden-test-secret-0123".getBytes(StandardCharsets.UTF_8)));

  @ParameterizedTest
  @CsvSource({
    "manual-testing, EN, ACTIVE, 0, 3",
    "manual-testing, RU, ACTIVE, 0, 3",
    "deployed, EN, SUCCESSFUL, 1, 2",
    "deployed, RU, SUCCESSFUL, 1, 2",
    "rejected, EN, FAILED, 0, 1",
    "rejected, RU, FAILED, 0, 1",
    "dispatch-failed, EN, ACTIVE, 0, 1",
    "dispatch-failed, RU, ACTIVE, 0, 1",
    "dispatch-retrying, EN, ACTIVE, 0, 1",
    "dispatch-retrying, RU, ACTIVE, 0, 1",
    "rollback-failed, EN, FAILED, 0, 1",
    "rollback-failed, RU, FAILED, 0, 1",
    "break-glass-awaiting, EN, ACTIVE, 0, 1",
    "break-glass-awaiting, RU, ACTIVE, 0, 1",
    "break-glass-confirmed, EN, ACTIVE, 0, 1",
    "break-glass-confirmed, RU, ACTIVE, 0, 1",
    "break-glass-expired, EN, ACTIVE, 0, 1",
    "break-glass-expired, RU, ACTIVE, 0, 1"
  })
  void theCardMatchesItsGoldenFile(
      String release, Language lang, Outcome list, int index, int total) throws IOException {
    JsonNode r = json.readTree(resource("releases/" + release + ".json"));
    ReleaseCard.Card card =
        cards.render(ReleaseRows.view(r), lang, MOSCOW, NOW, list, index, total);
    String golden = resource("golden/card-" + release + "-" + lang.name().toLowerCase() + ".txt");
    assertThat(render(card)).isEqualTo(golden);
  }

  @ParameterizedTest
  @CsvSource({"EN", "RU"})
  void thePagersButtonsAndTheMenuButtonNeverLookAlike(Language lang) {
    // "⬅️ Назад" stood right beside "⬅️ В меню": one arrow, two meanings
    String prev = dev.rmm.gateway.Texts.BUTTON_PREV.in(lang);
    String menu = dev.rmm.gateway.Texts.BUTTON_BACK.in(lang);
    assertThat(menu.codePointAt(0)).isNotEqualTo(prev.codePointAt(0));
    assertThat(menu.split(" ")[1]).isNotEqualTo(prev.split(" ")[1]);
  }

  @ParameterizedTest
  @CsvSource({"EN", "RU"})
  void theTeamChatsLiveCardHasTheActionsButNoPagerOrMenu(Language lang) throws IOException {
    JsonNode r = json.readTree(resource("releases/manual-testing.json"));
    ReleaseCard.Card card = cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW);
    String golden =
        resource("golden/live-card-manual-testing-" + lang.name().toLowerCase() + ".txt");
    assertThat(render(card)).isEqualTo(golden);
  }

  @ParameterizedTest
  @CsvSource({"EN", "RU"})
  void aSupersededReleasesLiveCardSaysWhichReleaseReplacedItAndHasNoActions(Language lang)
      throws IOException {
    JsonNode r = json.readTree(resource("releases/superseded.json"));
    ReleaseCard.Card card = cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW);
    String golden = resource("golden/live-card-superseded-" + lang.name().toLowerCase() + ".txt");
    assertThat(render(card)).isEqualTo(golden);
  }

  @ParameterizedTest
  @CsvSource({"EN", "RU"})
  void givenAMovedTag_whenTheLiveCardIsRendered_thenItSaysWhichApprovalsAreVoidAndWhy(Language lang)
      throws IOException {
    JsonNode r = json.readTree(resource("releases/moved-tag.json"));
    ReleaseCard.Card card = cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW);
    String golden = resource("golden/live-card-moved-tag-" + lang.name().toLowerCase() + ".txt");
    assertThat(render(card)).isEqualTo(golden);
  }

  @ParameterizedTest
  @CsvSource({"EN", "RU"})
  void givenADispatchHeldByAFreeze_whenTheLiveCardIsRendered_thenItSaysFrozenUntilWhenAndWhy(
      Language lang) throws IOException {
    JsonNode r = json.readTree(resource("releases/frozen.json"));
    ReleaseCard.Card card = cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW);
    String golden = resource("golden/live-card-frozen-" + lang.name().toLowerCase() + ".txt");
    assertThat(render(card)).isEqualTo(golden);
  }

  @ParameterizedTest
  @CsvSource({"EN", "RU"})
  void givenAFreezeThatEnded_whenTheCardIsRendered_thenItNoLongerSaysFrozen(Language lang)
      throws IOException {
    JsonNode r = json.readTree(resource("releases/frozen.json"));
    ReleaseCard.Card card =
        cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, Instant.parse("2026-12-05T06:00:00Z"));
    assertThat(card.text()).doesNotContain("❄️");
  }

  @ParameterizedTest
  @CsvSource({"EN", "RU"})
  void givenAHeldDispatchWithoutAReason_whenRendered_thenTheLineHasNoParentheses(Language lang)
      throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(resource("releases/frozen.json"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) r.get("dispatch_held")).remove("reason");
    String line =
        lang == Language.EN
            ? "❄️ Frozen until 05.12.2026 09:00"
            : "❄️ Выкладка заморожена до 05.12.2026 09:00";
    assertThat(cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW).text().lines())
        .contains(line);
  }

  @ParameterizedTest
  @CsvSource({
    "EN, manual_testing, 1440, '✅ Approved so far (0/2): Alice QA (approval expired, approve"
        + " again)'",
    "RU, manual_testing, 1440, '✅ Одобрили (0/2): Alice QA (одобрение истекло — нужно одобрить"
        + " заново)'",
    "EN, manual_testing, 1500, '✅ Approved so far (1/2): Alice QA'",
    "EN, deployed, 1440, '✅ Approved so far (1/2): Alice QA'"
  })
  void givenAnApprovalOlderThanTheExpiry_whenRendered_thenItIsNotCountedUntilTheQuorum(
      Language lang, String status, int expiryMinutes, String line) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(resource("releases/manual-testing.json"));
    r.put("status", status);
    r.put("approval_expiry_minutes", expiryMinutes);
    // Alice approved 24 h 20 min before NOW
    ((com.fasterxml.jackson.databind.node.ObjectNode) r.path("approved_list").get(0))
        .put("at", "2026-11-25T19:40:00Z");

    assertThat(cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW).text().lines())
        .contains(line);
  }

  @ParameterizedTest
  @CsvSource({
    "EN, '✅ Approved so far (1/2): Alice QA (by an admin token on their behalf)'",
    "RU, '✅ Одобрили (1/2): Alice QA (за него — админ-токен)'"
  })
  void anApprovalAnAdminTokenGaveOnAnApproversBehalfIsShownAsSuch(Language lang, String line)
      throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(resource("releases/manual-testing.json"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) r.path("approved_list").get(0))
        .put("on_behalf", true);

    assertThat(cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW).text().lines())
        .contains(line);
  }

  @ParameterizedTest
  @CsvSource({
    "EN, manual_testing, '✅ Approved so far (1/2): Alice QA, Carol (no longer an approver, not"
        + " counted)'",
    "RU, manual_testing, '✅ Одобрили (1/2): Alice QA, Carol (уже не апрувер — не засчитано)'",
    "EN, deployed, '✅ Approved so far (2/2): Alice QA, Carol'"
  })
  void
      givenAnApprovalBySomeoneNoLongerAnApprover_whenRendered_thenItCountsOnlyUntilTheQuorumIsDecided(
          Language lang, String status, String line) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(resource("releases/manual-testing.json"));
    r.put("status", status);
    // Carol approved, then the policy in force (required_approvers) left her out
    ((com.fasterxml.jackson.databind.node.ArrayNode) r.path("approved_list"))
        .addObject()
        .put("id", 1003)
        .put("name", "Carol")
        .put("at", "2026-11-26T19:45:00Z");

    assertThat(cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW).text().lines())
        .contains(line);
  }

  /**
   * Issue 15 point 3: catalog needs 2 approvals and, beside that, one qa and one lead. Two QAs
   * approved: 2 of 2, but the lead's role is still empty, which the card says ("qa 1/1 · lead 0/1",
   * the role names as the policy names them) and shows who holds which role.
   */
  @ParameterizedTest
  @CsvSource({"EN", "RU"})
  void givenARoleQuorumTwoQasDoNotMeet_whenTheLiveCardIsRendered_thenItShowsTheRolesFilled(
      Language lang) throws IOException {
    JsonNode r = json.readTree(resource("releases/role-quorum.json"));
    ReleaseCard.Card card = cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW);
    String golden = resource("golden/live-card-role-quorum-" + lang.name().toLowerCase() + ".txt");
    assertThat(render(card)).isEqualTo(golden);
  }

  @ParameterizedTest
  @CsvSource({
    "2004, '🎭 Roles: qa 1/1 · lead 0/1'",
    "2003, '🎭 Roles: qa 1/1 · lead 1/1'",
  })
  void givenTheRoleQuorum_whenOneMoreApproves_thenOnePersonFillsOneRoleOnly(
      long approver, String line) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(resource("releases/role-quorum.json"));
    // only Dana (qa and lead) approved, or Quinn (qa) and Lena (lead)
    com.fasterxml.jackson.databind.node.ArrayNode approved =
        (com.fasterxml.jackson.databind.node.ArrayNode) r.path("approved_list");
    approved.remove(1);
    if (approver == 2004) {
      approved.remove(0);
    }
    approved.addObject().put("id", approver).put("name", "p" + approver);

    assertThat(cards.renderLive(ReleaseRows.view(r), Language.EN, MOSCOW, NOW).text().lines())
        .contains(line);
  }

  @Test
  void givenAPolicyWithoutRoles_whenRendered_thenNoRolesLineAndNoRolesBesideTheNames()
      throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(resource("releases/role-quorum.json"));
    r.remove("required_roles");

    String text = cards.renderLive(ReleaseRows.view(r), Language.EN, MOSCOW, NOW).text();

    assertThat(text).doesNotContain("🎭").doesNotContain("(qa)");
  }

  /**
   * Issue 15 point 5: an admin retried a failed dispatch during a freeze; the retry is held like a
   * first dispatch, and the card says so beside the retry under way.
   */
  @ParameterizedTest
  @CsvSource({
    "EN, '❄️ Frozen until 05.12.2026 09:00 (New Year code freeze)', '⏳ GitHub: retrying'",
    "RU, '❄️ Выкладка заморожена до 05.12.2026 09:00 (New Year code freeze)', '⏳'"
  })
  void givenARetriedDispatchHeldByAFreeze_whenRendered_thenItSaysFrozenUntilWhen(
      Language lang, String frozen, String retrying) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(resource("releases/frozen.json"));
    r.putObject("dispatch")
        .put("id", "d-1")
        .putNull("outcome")
        .put("retries", 1)
        .put("retry_requested_by", "Olga");

    java.util.List<String> lines =
        cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW).text().lines().toList();
    assertThat(lines).contains(frozen);
    assertThat(lines).anyMatch(l -> l.startsWith(retrying));
    ((com.fasterxml.jackson.databind.node.ObjectNode) r.get("dispatch"))
        .put("outcome", "dispatched");
    assertThat(cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW).text())
        .doesNotContain("❄️");
  }

  /**
   * Issue 15 point 3: the initiator is who the API authenticated (the OIDC token's actor), named as
   * the person the policy's people directory knows, with the text the pipeline reported beside it
   * when that names somebody else.
   */
  @ParameterizedTest
  @CsvSource({"EN", "RU"})
  void givenAnAuthenticatedInitiatorKnownToThePeople_whenRendered_thenThePersonIsTheInitiator(
      Language lang) throws IOException {
    JsonNode r = json.readTree(resource("releases/initiator-login.json"));
    ReleaseCard.Card card = cards.renderLive(ReleaseRows.view(r), lang, MOSCOW, NOW);
    String golden =
        resource("golden/live-card-initiator-login-" + lang.name().toLowerCase() + ".txt");
    assertThat(render(card)).isEqualTo(golden);
  }

  @ParameterizedTest
  @CsvSource({
    "octocat, '👤 Initiator: carol-work; the pipeline reported octocat'",
    "Carol-Work, '👤 Initiator: carol-work'",
    "'', '👤 Initiator: carol-work'"
  })
  void givenAnAuthenticatedLoginNoPersonHas_whenRendered_thenTheLoginIsTheInitiator(
      String reported, String line) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode r =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            json.readTree(resource("releases/initiator-login.json"));
    r.remove("initiator_name");
    r.put("initiated_by", reported);

    assertThat(cards.renderLive(ReleaseRows.view(r), Language.EN, MOSCOW, NOW).text().lines())
        .contains(line);
  }

  static String render(ReleaseCard.Card card) {
    return Golden.render(card.text(), card.keyboard());
  }

  private static String resource(String name) throws IOException {
    return Golden.resource(name);
  }
}
