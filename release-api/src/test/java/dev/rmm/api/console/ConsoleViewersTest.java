package dev.rmm.api.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.api.policy.PolicyRegistry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The console's viewers: the policy file's top-level {@code "viewers"}, which the approval policy
 * itself does not read (a file with it still parses to the same service policies).
 */
class ConsoleViewersTest {

  private static final String FILE =
      "{\"viewers\": [1005, \"1006\"], \"services\": {\"billing\": {\"approvers\":"
          + " [{\"telegram_id\": 1001, \"name\": \"Alice\"}]}}}";

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void givenAPolicyFileWithViewers_whenRead_thenTheyAreTheViewersAndThePolicyIsUnchanged() {
    assertThat(ConsoleViewers.ofPolicyFile(bytes(FILE))).containsExactly(1005L, 1006L);
    assertThat(PolicyRegistry.parse(bytes(FILE), "policy.json").get("billing").approval())
        .isEqualTo(
            PolicyRegistry.parse(
                    bytes(FILE.replace("\"viewers\": [1005, \"1006\"], ", "")), "policy.json")
                .get("billing")
                .approval());
  }

  @Test
  void givenAPolicyFileWithoutViewers_whenRead_thenThereAreNone() {
    assertThat(ConsoleViewers.ofPolicyFile(bytes("{\"services\": {}}"))).isEmpty();
  }

  @Test
  void givenViewersThatAreNotIds_whenRead_thenTheFieldIsNamed() {
    assertThatThrownBy(() -> ConsoleViewers.ofPolicyFile(bytes("{\"viewers\": [\"alice\"]}")))
        .hasMessageContaining("'viewers' holds numeric Telegram user ids");
    assertThatThrownBy(() -> ConsoleViewers.ofPolicyFile(bytes("{\"viewers\": 1005}")))
        .hasMessageContaining("'viewers' is a list");
  }

  @Test
  void givenTheSetting_whenRead_thenItsIdsAreViewers() {
    assertThat(ConsoleViewers.ofSetting(" 1005, 1006,,")).containsExactly(1005L, 1006L);
    assertThatThrownBy(() -> ConsoleViewers.ofSetting("alice"))
        .hasMessageContaining("RMM_CONSOLE_VIEWERS");
  }
}
