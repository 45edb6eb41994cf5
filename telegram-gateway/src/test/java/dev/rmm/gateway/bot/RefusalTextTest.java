package dev.rmm.gateway.bot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.contracts.CommandResult;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.bot.PendingAction.Kind;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every refusal a user reads is in their language (issue 15, point 7): release-api's detail is
 * English and stays in the audit record; the gateway words the refusal from its reason.
 */
class RefusalTextTest {

  private static final ObjectMapper JSON = EventCodec.mapper();

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "APPROVE | not_allowed | user 5 is not an approver of billing | manual_testing | RU"
            + " | ⛔ Нет прав: одобрить релиз могут только его апруверы",
        "APPROVE | not_allowed | Ann QA"
            + ReleaseDecider.INITIATOR_MAY_NOT_APPROVE
            + " | manual_testing | RU | ⛔ Нет прав: вы запустили этот релиз и не можете его одобрить",
        "APPROVE | not_allowed | Ann QA"
            + ReleaseDecider.INITIATOR_MAY_NOT_APPROVE
            + " | manual_testing | EN | ⛔ Not allowed: you started this release and may not approve"
            + " it",
        "ROLLBACK | not_allowed | user 5 is not an admin of billing | deployed | RU"
            + " | ⛔ Нет прав: откатить релиз могут только администраторы",
        "CANCEL_RELEASE | not_allowed | user 5 is not an admin of billing | manual_testing | EN"
            + " | ⛔ Not allowed: only admins may cancel a release",
        "REJECT | illegal_transition | release is manual_test_failed; only a release in"
            + " manual_testing can be rejected | manual_test_failed | RU"
            + " | ⚠️ Сейчас нельзя: релиз сейчас в статусе «❌ Тестирование не пройдено»",
        "APPROVE | not_found | release x not found | | RU | ⚠️ Релиз не найден",
        // the break-glass window the request was given (21 minutes here), in words
        "CONFIRM_BREAK_GLASS | illegal_transition | the break-glass of Ann lapsed unconfirmed"
            + " | manual_testing | RU | ⚠️ Сейчас нельзя: break-glass истёк: за 21 минуту его"
            + " никто не подтвердил — запросите его заново, если он ещё нужен",
        "CONFIRM_BREAK_GLASS | illegal_transition | the break-glass of Ann lapsed unconfirmed"
            + " | manual_testing | EN | ⚠️ Not possible now: the break-glass expired (nobody"
            + " confirmed it within 21 minutes): force it again if it is still needed",
      })
  void givenARefusal_thenTheUserReadsItInTheirLanguage(
      Kind kind, String reason, String detail, String status, Language lang, String expected)
      throws Exception {
    // as release-api's CommandResults writes it: no status when the release does not exist
    CommandResult result =
        JSON.readValue(
            "{\"outcome\":\"refused\",\"reason\":\""
                + reason
                + "\",\"detail\":"
                + JSON.writeValueAsString(detail)
                + (status == null ? "" : ",\"status\":\"" + status + "\"")
                + ",\"release\":{\"service_name\":\"billing\",\"release_tag\":\"v1.4.0\"}}",
            CommandResult.class);
    PendingAction p = new PendingAction(kind, "r1", 3, 5, "Eve", null, null, 1, 1);

    assertThat(ActionFlows.refusedText(p, result, Duration.ofMinutes(21), lang))
        .isEqualTo(expected);
  }
}
