package dev.rmm.gateway.card;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rmm.gateway.card.CallbackData.Action;
import dev.rmm.gateway.card.CallbackData.Press;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Callback data as a hostile client sends it: any string decodes to nothing or to a press whose own
 * encoding it is (never to a press it does not sign), and whatever the gateway encodes decodes back
 * to the same press, or is refused when it encodes. The same for any other button's signed data.
 */
class CallbackDataFuzzTest {

  private static final CallbackData DATA =
      new CallbackData("fuzz-callback-secret-0123456789".getBytes(StandardCharsets.UTF_8));

  @FuzzTest(maxDuration = "15m")
  void givenAnyString_whenDecoded_thenNothingOrAPressItSigns(FuzzedDataProvider in) {
    String data = in.consumeRemainingAsString();

    Optional<Press> press = DATA.decode(data);

    press.ifPresent(
        p -> assertThat(DATA.encode(p.action(), p.releaseId(), p.version())).isEqualTo(data));
  }

  @FuzzTest(maxDuration = "15m")
  void givenAnyPress_whenEncoded_thenItDecodesToItselfOrIsRefused(FuzzedDataProvider in) {
    Action action = in.pickValue(Action.values());
    long version = in.consumeLong();
    String releaseId = in.consumeRemainingAsString();

    String data;
    try {
      data = DATA.encode(action, releaseId, version);
    } catch (IllegalArgumentException refused) {
      return; // over Telegram's 64 bytes, or a release id the format cannot carry
    }

    assertThat(data.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(64);
    assertThat(DATA.decode(data)).contains(new Press(action, releaseId, version));
  }

  @FuzzTest(maxDuration = "15m")
  void givenAnyString_whenOpened_thenNothingOrDataItSigns(FuzzedDataProvider in) {
    String signed = in.consumeRemainingAsString();

    Optional<String> data = DATA.open(signed);

    data.ifPresent(d -> assertThat(DATA.sign(d)).isEqualTo(signed));
  }

  @FuzzTest(maxDuration = "15m")
  void givenAnyButtonData_whenSigned_thenItOpensToItselfOrIsRefused(FuzzedDataProvider in) {
    String data = in.consumeRemainingAsString();

    String signed;
    try {
      signed = DATA.sign(data);
    } catch (IllegalArgumentException refused) {
      return; // over Telegram's 64 bytes
    }

    assertThat(signed.getBytes(StandardCharsets.UTF_8)).hasSizeBetween(1, 64);
    assertThat(DATA.open(signed)).contains(data);
  }
}
