package dev.rmm.gateway.card;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.gateway.card.CallbackData.Action;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CallbackDataTest {

  private static final String ID = "637b50d7-d381-3ff7-8b68-eb3483472972";
  private final CallbackData data =
      new CallbackData("0123456789abcdef-test".getBytes(StandardCharsets.UTF_8));

  @Test
  void givenAnEncodedPress_whenDecoded_thenTheSamePress() {
    String d = data.encode(Action.APPROVE, ID, 7);
    assertThat(data.decode(d)).contains(new CallbackData.Press(Action.APPROVE, ID, 7));
  }

  @Test
  void theDataStaysWithinTelegramsSixtyFourBytes() {
    String d = data.encode(Action.ROLLBACK, ID, 999_999);
    assertThat(d.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(CallbackData.MAX_BYTES);
  }

  @Test
  void givenForgedData_thenItIsNotAccepted() {
    String d = data.encode(Action.REFRESH, ID, 7);
    String mac = d.substring(d.lastIndexOf(':'));
    assertThat(data.decode(d.replace("rf:", "ap:"))).as("another action").isEmpty();
    assertThat(data.decode(d.replace(ID, "11111111-d381-3ff7-8b68-eb3483472972")))
        .as("another release")
        .isEmpty();
    assertThat(data.decode("rf:" + ID + ":8" + mac)).as("another version").isEmpty();
    assertThat(data.decode("garbage")).isEmpty();
    assertThat(data.decode(null)).isEmpty();
    CallbackData other = new CallbackData("another-secret-of-16+".getBytes(StandardCharsets.UTF_8));
    assertThat(other.decode(d)).as("another gateway's secret").isEmpty();
  }
}
