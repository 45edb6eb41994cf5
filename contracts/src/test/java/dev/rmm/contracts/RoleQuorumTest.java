package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy.Approver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The matching of approvals to role places: one approver fills one role, as many as possible. */
class RoleQuorumTest {

  private static Approver holding(long id, String... roles) {
    return new Approver(id, "p" + id, null).withRoles(List.of(roles));
  }

  private static Map<String, Integer> roles(Object... roleAndCount) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < roleAndCount.length; i += 2) {
      out.put((String) roleAndCount[i], (Integer) roleAndCount[i + 1]);
    }
    return out;
  }

  @Test
  void givenNoApprovals_thenEveryRoleIsEmptyInThePolicysOrder() {
    RoleQuorum q = RoleQuorum.of(roles("qa", 1, "lead", 1), List.of());

    assertThat(q.met()).isFalse();
    assertThat(q.summary()).isEqualTo("qa 0/1 · lead 0/1");
  }

  @Test
  void givenTwoQas_thenQaIsFullAndLeadIsNot() {
    RoleQuorum q =
        RoleQuorum.of(roles("qa", 1, "lead", 1), List.of(holding(1, "qa"), holding(2, "qa")));

    assertThat(q.met()).isFalse();
    assertThat(q.summary()).isEqualTo("qa 1/1 · lead 0/1");
  }

  @Test
  void givenTwoPeopleHoldingBothRolesAndAQa_thenTheMatchingFillsEveryPlace() {
    RoleQuorum q =
        RoleQuorum.of(
            roles("qa", 2, "lead", 1),
            List.of(holding(1, "qa", "lead"), holding(2, "qa", "lead"), holding(3, "qa")));

    assertThat(q.met()).isTrue();
    assertThat(q.summary()).isEqualTo("qa 2/2 · lead 1/1");
  }

  @Test
  void givenApproversWithoutTheRolesNeeded_thenNothingIsFilled() {
    RoleQuorum q = RoleQuorum.of(roles("security", 1), List.of(holding(1), holding(2, "qa")));

    assertThat(q.met()).isFalse();
    assertThat(q.summary()).isEqualTo("security 0/1");
  }

  @Test
  void givenNoRequiredRole_thenItIsMet() {
    assertThat(RoleQuorum.of(Map.of(), List.of()).met()).isTrue();
  }
}
