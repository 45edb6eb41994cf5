package dev.rmm.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.gateway.Screens;
import dev.rmm.gateway.card.CallbackData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Signed button data within Telegram's 1-64 bytes, for the longest data the bot puts on a button.
 */
class SignedDataTest {

  private final CallbackData data =
      new CallbackData("0123456789abcdef-test".getBytes(StandardCharsets.UTF_8));

  @Test
  void givenTheLongestDataOfEachScreen_whenSigned_thenWithin64BytesAndOpensToItself() {
    String token = "AbCdEfGhIjKlMnOp"; // Sessions' tokens: 12 random bytes, 16 characters
    List<String> longest =
        List.of(
            Screens.SUCCESSFUL,
            Screens.MENU,
            Screens.LANGUAGE + "en",
            Screens.PAGE + "s:" + Integer.MAX_VALUE, // the pager at the largest index
            Screens.CONFIRM + token,
            Screens.CANCEL + token,
            Screens.PICK + token,
            Screens.CANCEL + "-");
    for (String d : longest) {
      String signed = data.sign(d);
      assertThat(signed.getBytes(StandardCharsets.UTF_8).length).as(signed).isBetween(1, 64);
      assertThat(data.open(signed)).as(signed).contains(d);
    }
  }

  @Test
  void givenDataOf52Bytes_thenItSignsToExactly64_andOneByteMoreIsRefused() {
    assertThat(data.sign("x".repeat(52)).getBytes(StandardCharsets.UTF_8)).hasSize(64);
    assertThatThrownBy(() -> data.sign("x".repeat(53)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void givenUnsignedForgedOrOtherKeysData_whenOpened_thenNothing() {
    String signed = data.sign("l:a:0");
    assertThat(data.open("l:a:999")).isEmpty();
    assertThat(data.open("l:a:999" + signed.substring(signed.lastIndexOf(':')))).isEmpty();
    assertThat(data.open("l:a:999:AAAAAAAAAAA")).isEmpty();
    assertThat(data.open(null)).isEmpty();
    assertThat(data.open("")).isEmpty();
    CallbackData other = new CallbackData("another-secret-of-16+".getBytes(StandardCharsets.UTF_8));
    assertThat(other.open(signed)).isEmpty();
  }

  @Test
  void givenACardAction_thenItIsAlreadySignedTheSameWay() {
    String id = "637b50d7-d381-3ff7-8b68-eb3483472972";
    String approve = data.encode(CallbackData.Action.APPROVE, id, 42);
    assertThat(data.open(approve)).contains("ap:" + id + ":42");
  }
}
