package dev.rmm.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.PolicyInForce;
import dev.rmm.contracts.readmodel.ReleaseView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The read model's row shown under the policy in force ({@link PoliciesInForce#overlay}): the
 * break-glass texts name the window of that policy (issue 15 point 4, configurable since issue 16),
 * and a row shown before any policy event was read keeps the default.
 */
class PolicyOverlayTest {

  private static final String ROW =
      """
      {"release_id": "r-1", "service_name": "billing", "release_tag": "v1.4.0",
       "status": "manual_testing", "outcome": "active", "version": 7,
       "required_approvers": [{"id": 1001, "name": "Alice"}], "quorum": 1, "admins": [2001]}
      """;

  private static final ApprovalPolicy BILLING =
      new ApprovalPolicy(
          List.of(new ApprovalPolicy.Approver(1001, "Alice", null)), 1, false, List.of(2001L));

  private static ReleaseView row() throws Exception {
    return EventCodec.mapper().readValue(ROW, ReleaseView.class);
  }

  @Test
  void givenAPolicyInForceWithAFiveMinuteWindow_whenOverlaid_thenTheRowNamesFiveMinutes()
      throws Exception {
    PolicyInForce now = new PolicyInForce(4, BILLING.withBreakGlassWindowMinutes(5));

    ReleaseView shown = PoliciesInForce.overlay(row(), now, null);

    assertThat(shown.breakGlassWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(shown.policyVersion()).isEqualTo(4);
    assertThat(shown.isAdmin(2001)).isTrue();
  }

  @Test
  void givenAPolicyInForceWithoutAWindow_whenOverlaid_thenTheRowNamesTheDefaultFifteenMinutes()
      throws Exception {
    ReleaseView shown = PoliciesInForce.overlay(row(), new PolicyInForce(4, BILLING), null);

    assertThat(shown.breakGlassWindowMinutes()).isEqualTo(15);
    assertThat(shown.breakGlassWindow()).isEqualTo(ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW);
  }

  @Test
  void givenNoPolicyEventRead_whenOverlaid_thenTheRowIsAsStoredWithTheDefaultWindow()
      throws Exception {
    ReleaseView stored = row();

    ReleaseView shown = PoliciesInForce.overlay(stored, null, null);

    assertThat(shown).isSameAs(stored);
    assertThat(shown.breakGlassWindow()).isEqualTo(ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW);
  }
}
