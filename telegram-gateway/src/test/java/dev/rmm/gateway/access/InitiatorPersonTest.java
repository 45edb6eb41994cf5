package dev.rmm.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The card's initiator is the person the authenticated login belongs to: through the approver's
 * {@code github_login} or the people directory's further logins, in the release's service first,
 * then in any policy (a person is named once for every service).
 */
class InitiatorPersonTest {

  private static final ApprovalPolicy BILLING =
      ApprovalPolicy.allOf(
          List.of(
              new Approver(1001, "Alice", "alice"),
              new Approver(1003, "Carol", null).withGithubLogins(List.of("carol", "carol-work"))),
          List.of(1002L));
  private static final ApprovalPolicy CATALOG =
      ApprovalPolicy.allOf(List.of(new Approver(2001, "Quinn", "quinn-gh")), List.of(1002L));
  private static final PolicyChanged ALL =
      new PolicyChanged(
          Map.of(
              "billing",
              new PolicyChanged.Service(BILLING, null, List.of()),
              "catalog",
              new PolicyChanged.Service(CATALOG, null, List.of())),
          null,
          List.of("*"),
          "test",
          null,
          null,
          null);

  @Test
  void givenALoginOfThePeopleDirectory_whenLookedUp_thenThePersonAnyCase() {
    assertThat(InitiatorPerson.name("Carol-Work", BILLING, ALL)).contains("Carol");
    assertThat(InitiatorPerson.name("alice", BILLING, ALL)).contains("Alice");
  }

  @Test
  void givenALoginOfAnotherServicesApprover_whenLookedUp_thenThatPerson() {
    assertThat(InitiatorPerson.name("quinn-gh", BILLING, ALL)).contains("Quinn");
  }

  @Test
  void givenAnUnknownOrNoLogin_whenLookedUp_thenNobody() {
    assertThat(InitiatorPerson.name("mallory", BILLING, ALL)).isEmpty();
    assertThat(InitiatorPerson.name(null, BILLING, ALL)).isEmpty();
    assertThat(InitiatorPerson.name("alice", null, null)).isEmpty();
  }
}
