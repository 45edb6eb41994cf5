package dev.rmm.api.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Telegram Login Widget's data checked as https://core.telegram.org/widgets/login documents it.
 * The expected hashes were computed outside Java, with Python's hashlib and hmac:
 *
 * <pre>
 * secret = hashlib.sha256(BOT_TOKEN.encode()).digest()
 * dcs = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
 * hmac.new(secret, dcs.encode(), hashlib.sha256).hexdigest()
 * </pre>
 */
class TelegramLoginTest {

  private static final String BOT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";
  private static final Instant AUTH_DATE = Instant.ofEpochSecond(1_700_000_000L);

  private final TelegramLogin login = new TelegramLogin(BOT_TOKEN);

  private static Map<String, String> alice() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("id", "1001");
    f.put("first_name", "Alice");
    f.put("last_name", "QA");
    f.put("username", "alice");
    f.put("auth_date", "1700000000");
    f.put("hash", "f8f66e717de1fa984db2c4c7803f1f6197faba636372051ef511c337173c32ad");
    return f;
  }

  @Test
  void givenFields_whenTheDataCheckStringIsMade_thenItIsTheSortedLinesWithoutTheHash() {
    assertThat(TelegramLogin.dataCheckString(alice()))
        .isEqualTo("auth_date=1700000000\nfirst_name=Alice\nid=1001\nlast_name=QA\nusername=alice");
  }

  @Test
  void givenDataSignedByTheBot_whenChecked_thenTheUserIsAccepted() {
    TelegramLogin.Result r = login.check(alice(), AUTH_DATE.plusSeconds(60));

    assertThat(r.accepted()).as(r.refusal()).isTrue();
    assertThat(r.userId()).isEqualTo(1001L);
    assertThat(r.name()).isEqualTo("Alice QA");
  }

  @Test
  void givenCyrillicNamesAndAPhoto_whenChecked_thenTheUtf8BytesAreSigned() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("id", "1001");
    f.put("first_name", "Алиса");
    f.put("auth_date", "1700000000");
    f.put("photo_url", "https://t.me/i/userpic/320/alice.jpg");
    f.put("hash", "16d129659f2537c039938ce81ffc3223960289bc8edc81e0c5247df01c09feb6");

    assertThat(login.check(f, AUTH_DATE).name()).isEqualTo("Алиса");
  }

  @Test
  void givenAnUppercaseHash_whenChecked_thenItIsTheSameHash() {
    Map<String, String> f = alice();
    f.put("hash", f.get("hash").toUpperCase());

    assertThat(login.check(f, AUTH_DATE).accepted()).isTrue();
  }

  @Test
  void givenAChangedField_whenChecked_thenTheHashNoLongerMatches() {
    Map<String, String> f = alice();
    f.put("id", "1002");

    assertThat(login.check(f, AUTH_DATE).refusal()).contains("not signed by this bot");
  }

  @Test
  void givenAFieldAdded_whenChecked_thenTheHashNoLongerMatches() {
    Map<String, String> f = alice();
    f.put("photo_url", "https://evil.example/x.jpg");

    assertThat(login.check(f, AUTH_DATE).accepted()).isFalse();
  }

  @Test
  void givenAnotherBotsToken_whenChecked_thenTheDataIsRefused() {
    assertThat(new TelegramLogin("654321:other").check(alice(), AUTH_DATE).accepted()).isFalse();
  }

  @Test
  void givenNoOrAMalformedHash_whenChecked_thenTheDataIsRefused() {
    Map<String, String> f = alice();
    f.remove("hash");
    assertThat(login.check(f, AUTH_DATE).refusal()).contains("no valid hash");
    f.put("hash", "zz");
    assertThat(login.check(f, AUTH_DATE).refusal()).contains("no valid hash");
  }

  @Test
  void givenDataOlderThanADay_whenChecked_thenItIsRefusedAndADayExactlyIsAccepted() {
    assertThat(login.check(alice(), AUTH_DATE.plus(TelegramLogin.MAX_AGE)).accepted()).isTrue();
    assertThat(login.check(alice(), AUTH_DATE.plus(TelegramLogin.MAX_AGE).plusSeconds(1)).refusal())
        .contains("older than a day");
  }

  @Test
  void givenDataFromTheFuture_whenChecked_thenItIsRefused() {
    assertThat(login.check(alice(), AUTH_DATE.minusSeconds(3600)).refusal())
        .contains("in the future");
  }
}
