package dev.rmm.api.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.contracts.ApprovalPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A service's policy says how long a break-glass request waits for a second admin ({@code
 * break_glass_window_minutes}, 1 to 1440); without it, 15 minutes. A value outside that range is
 * refused with the file, so the policy in force stays.
 */
class PolicyFileBreakGlassWindowTest {

  @Test
  void givenAPolicyWithoutAWindow_whenParsed_thenABreakGlassWaitsFifteenMinutes() {
    ApprovalPolicy p = BillingPolicy.with("");

    assertThat(p.breakGlassWindowMinutes()).isNull();
    assertThat(p.breakGlassWindow()).isEqualTo(Duration.ofMinutes(15));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 1440})
  void givenAPolicyWithAWindow_whenParsed_thenABreakGlassWaitsThatLong(int minutes) {
    assertThat(
            BillingPolicy.with(", \"break_glass_window_minutes\": " + minutes).breakGlassWindow())
        .isEqualTo(Duration.ofMinutes(minutes));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "1441", "99999999999", "1.5", "\"15m\"", "true"})
  void givenAWindowOutsideOneMinuteToADay_whenParsed_thenTheFileIsRefused(String value) {
    assertThatThrownBy(() -> BillingPolicy.with(", \"break_glass_window_minutes\": " + value))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "'break_glass_window_minutes' is a whole number of minutes from 1 to 1440");
  }
}
