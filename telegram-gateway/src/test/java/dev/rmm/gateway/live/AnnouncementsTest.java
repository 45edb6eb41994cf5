package dev.rmm.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.ReleaseRows;
import dev.rmm.gateway.Texts.Language;
import java.io.InputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.meta.api.objects.MessageEntity;

/** Which events reach the team chat as new messages, and what they say. */
class AnnouncementsTest {

  private final ReleaseView release = ReleaseRows.view(read("/releases/manual-testing.json"));

  @Test
  void givenManualTesting_thenTheApproversAreMentionedByUserId() {
    var a =
        Announcements.of(
                event(
                    new ReleaseEvent.StatusChanged(
                        ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING, null)),
                release,
                Language.EN)
            .orElseThrow();

    assertThat(a.text())
        .isEqualTo(
            "🧪 billing v1.4.0 is ready for manual testing. Approvals needed (2 of 2): Alice QA,"
                + " Bob Lead");
    assertThat(a.entities()).hasSize(2);
    MessageEntity bob = a.entities().get(1);
    assertThat(bob.getType()).isEqualTo("text_mention");
    assertThat(bob.getUser().getId()).isEqualTo(1002L);
    // offsets count UTF-16 code units, as Telegram does: the emoji before the names is two
    assertThat(a.text().substring(bob.getOffset(), bob.getOffset() + bob.getLength()))
        .isEqualTo("Bob Lead");
  }

  @Test
  void givenDeployedFailedRejectedOrRolledBack_thenOneMessageEach() {
    assertThat(text(changed(ReleaseStatus.DEPLOYING, ReleaseStatus.DEPLOYED)))
        .isEqualTo("🎉 billing v1.4.0 is in production!");
    assertThat(text(changed(ReleaseStatus.DEPLOYING, ReleaseStatus.PRODUCTION_FAILED)))
        .isEqualTo("❌ billing v1.4.0: 🔥 Production deploy failed");
    assertThat(
            text(
                event(
                    new ReleaseEvent.StatusChanged(
                        ReleaseStatus.PRODUCTION_ROLLBACK,
                        ReleaseStatus.ROLLBACK_FAILED,
                        "migrations failed: exit 3"))))
        .isEqualTo("❌ billing v1.4.0: 🆘 Rollback failed (migrations failed: exit 3)");
    assertThat(text(changed(ReleaseStatus.PRODUCTION_ROLLBACK, ReleaseStatus.ROLLBACK_DONE)))
        .isEqualTo("⚠️ billing v1.4.0 was rolled back");
    assertThat(text(event(new ReleaseEvent.ReleaseRejected(1002, "Bob Lead", "login is broken"))))
        .isEqualTo("❌ billing v1.4.0 was rejected by Bob Lead: login is broken");
    assertThat(text(event(new ReleaseEvent.DispatchFailed("d-1", 401, "Bad credentials", 1))))
        .isEqualTo(
            "🆘 billing v1.4.0: the production workflow could not be started: 401 Bad credentials");
  }

  @Test
  void givenProgressOrAudit_thenOnlyTheCardChanges() {
    assertThat(
            Announcements.of(
                changed(ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING),
                release,
                Language.EN))
        .isEmpty();
    EventEnvelope refused =
        event(new ReleaseEvent.ActionRefused("approve", "not_allowed", "user 7 is not"));
    assertThat(Announcements.of(refused, release, Language.EN)).isEmpty();
    assertThat(Announcements.editsCard(refused)).isFalse();
  }

  @Test
  void givenABreakGlassRequestAndItsConfirmation_thenOneLoudMessageEach() {
    assertThat(
            text(
                event(
                    new ReleaseEvent.BreakGlassRequested(
                        2001,
                        "Olga",
                        "payments are down",
                        "v1.4.0",
                        "3f2c1a9",
                        Instant.parse("2026-11-26T20:15:00Z"),
                        4L))))
        .isEqualTo(
            "🚨 Break-glass: Olga forces the approval of billing v1.4.0 without the quorum:"
                + " “payments are down”. Another admin must confirm it within 15 minutes (✅ on the"
                + " card)");
    assertThat(
            text(
                event(
                    new ReleaseEvent.BreakGlassConfirmed(
                        2001, "Olga", 2002, "Petr", "payments are down", "v1.4.0", "3f2c1a9", 4L))))
        .isEqualTo(
            "🚨 Break-glass confirmed: billing v1.4.0 (forced by Olga, confirmed by Petr) goes to"
                + " production without the quorum");
  }

  @Test
  void givenABreakGlassRequestUnderAOneMinuteWindow_thenTheMessageNamesThatWindowInRussian() {
    var requested =
        event(
            new ReleaseEvent.BreakGlassRequested(
                2001,
                "Ольга",
                "платежи не работают",
                "v1.4.0",
                "3f2c1a9",
                Instant.parse("2026-11-26T20:01:00Z"),
                4L));

    assertThat(Announcements.of(requested, release, Language.RU).orElseThrow().text())
        .isEqualTo(
            "🚨 Break-glass: Ольга форсирует одобрение billing v1.4.0 без кворума: «платежи не"
                + " работают». Другой администратор должен подтвердить его за 1 минуту (✅ на"
                + " карточке)");
  }

  private String text(EventEnvelope e) {
    return Announcements.of(e, release, Language.EN).orElseThrow().text();
  }

  private static EventEnvelope changed(ReleaseStatus from, ReleaseStatus to) {
    return event(new ReleaseEvent.StatusChanged(from, to, null));
  }

  private static EventEnvelope event(ReleaseEvent data) {
    return new EventEnvelope(
        "e-1",
        "637b50d7-d381-3ff7-8b68-eb3483472972",
        6,
        Instant.parse("2026-11-26T20:00:00Z"),
        Actor.system("test"),
        "c",
        "c",
        null,
        data);
  }

  private static JsonNode read(String name) {
    try (InputStream in = AnnouncementsTest.class.getResourceAsStream(name)) {
      return new ObjectMapper().readTree(in);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
