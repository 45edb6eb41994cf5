package dev.rmm.api.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.contracts.ApprovalPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A service's policy says how long its approvals count before the quorum ({@code
 * approval_expiry_minutes}, issue 15 point 2); without it, 24 hours.
 */
class PolicyFileApprovalExpiryTest {

  @Test
  void givenAPolicyWithoutAnExpiry_whenParsed_thenApprovalsCountFor24Hours() {
    ApprovalPolicy p = BillingPolicy.with("");

    assertThat(p.approvalExpiryMinutes()).isNull();
    assertThat(p.approvalExpiry()).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void givenAPolicyWithAnExpiry_whenParsed_thenApprovalsCountForThatLong() {
    assertThat(BillingPolicy.with(", \"approval_expiry_minutes\": 90").approvalExpiry())
        .isEqualTo(Duration.ofMinutes(90));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "1.5", "\"24h\"", "true"})
  void givenAnExpiryThatIsNoWholePositiveNumberOfMinutes_whenParsed_thenTheFileIsRefused(
      String value) {
    assertThatThrownBy(() -> BillingPolicy.with(", \"approval_expiry_minutes\": " + value))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'approval_expiry_minutes' is a whole number of minutes, at least 1");
  }
}
