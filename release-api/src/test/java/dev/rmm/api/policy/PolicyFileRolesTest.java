package dev.rmm.api.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.TextRules;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The policy file's role quorum and people directory (issue 15 point 3): approvers hold roles, a
 * service requires approvals by role, and a person's GitHub logins are written once for every
 * service. What is wrong is refused with the field named, never with hostile text repeated raw.
 */
class PolicyFileRolesTest {

  private static final String APPROVERS =
      "\"approvers\": [{\"telegram_id\": 1, \"name\": \"Quinn\", \"roles\": [\"qa\"]},"
          + " {\"telegram_id\": 2, \"name\": \"Lena\", \"roles\": [\"lead\"]},"
          + " {\"telegram_id\": 3, \"name\": \"Carol\", \"github_login\": \"carol\"}]";

  private static Map<String, ServicePolicy> parse(String json) {
    return PolicyRegistry.parse(json.getBytes(StandardCharsets.UTF_8), "policy.json");
  }

  private static ApprovalPolicy billing(String service) {
    return parse("{\"services\": {\"billing\": {" + service + "}}}").get("billing").approval();
  }

  @Test
  void givenRolesForApproversAndTheService_whenParsed_thenTheyAreKeptInTheFilesOrder() {
    ApprovalPolicy p = billing(APPROVERS + ", \"quorum\": 2, \"roles\": {\"qa\": 1, \"lead\": 1}");

    assertThat(p.roles()).containsExactly(Map.entry("qa", 1), Map.entry("lead", 1));
    assertThat(p.approver(1).orElseThrow().roles()).containsExactly("qa");
    assertThat(p.approver(3).orElseThrow().roles()).isEmpty();
  }

  @Test
  void givenAPolicyWithoutRoles_whenParsed_thenItHasNone() {
    ApprovalPolicy p = billing(APPROVERS);

    assertThat(p.hasRoles()).isFalse();
    assertThat(p).isEqualTo(new ApprovalPolicy(p.approvers(), 3, false, List.of(), false, null));
  }

  @Test
  void givenARoleNoApproverHolds_whenParsed_thenTheFileIsRefusedNamingTheRoleAndTheField() {
    assertThatThrownBy(() -> billing(APPROVERS + ", \"roles\": {\"qa\": 1, \"security\": 1}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("policy of service billing in policy.json")
        .hasMessageContaining("'roles' requires role security, which no approver of the service");
  }

  @Test
  void givenMoreApprovalsOfARoleThanItsHolders_whenParsed_thenTheFileIsRefused() {
    assertThatThrownBy(() -> billing(APPROVERS + ", \"roles\": {\"qa\": 2}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'roles' cannot be met: role qa needs 2 approval(s) but 1 approver");
    // refused by counting, before any matching is tried
    assertThatThrownBy(() -> billing(APPROVERS + ", \"roles\": {\"qa\": 2000000000}"))
        .hasMessageContaining("role qa needs 2000000000 approval(s) but 1 approver(s) hold it");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "1.5", "\"1\"", "true", "null"})
  void givenARoleCountThatIsNoWholePositiveNumber_whenParsed_thenTheFileIsRefused(String count) {
    assertThatThrownBy(() -> billing(APPROVERS + ", \"roles\": {\"qa\": " + count + "}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'roles' needs a whole number of approvals, at least 1, for role qa");
  }

  @Test
  void givenHostileRoleNames_whenParsed_thenTheFileIsRefusedWithoutRepeatingThem() {
    String bidi = "{\"telegram_id\": 1, \"roles\": [\"q\\u202Ea\"]}";
    assertThatThrownBy(() -> billing("\"approvers\": [" + bidi + "]"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'roles' contains the bidirectional control character U+202E")
        .satisfies(e -> assertThat(TextRules.allows(e.getMessage(), TextRules.Kind.LINE)).isTrue());
    String huge = "{\"telegram_id\": 1, \"roles\": [\"" + "q".repeat(10_000) + "\"]}";
    assertThatThrownBy(() -> billing("\"approvers\": [" + huge + "]"))
        .hasMessageContaining("'roles' is 10000 characters long; at most 32 are allowed")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    assertThatThrownBy(() -> billing("\"approvers\": [{\"telegram_id\": 1, \"roles\": [\"q a\"]}]"))
        .hasMessageContaining("an approver's 'roles' holds role names");
    assertThatThrownBy(() -> billing("\"approvers\": [{\"telegram_id\": 1, \"roles\": \"qa\"}]"))
        .hasMessageContaining("an approver's 'roles' is a list of role names");
    assertThatThrownBy(() -> billing(APPROVERS + ", \"roles\": {\"q\\u0000a\": 1}"))
        .hasMessageContaining("'roles' contains the control character U+0000");
    assertThatThrownBy(() -> billing(APPROVERS + ", \"roles\": [\"qa\"]"))
        .hasMessageContaining("the service's 'roles' maps each role to the approvals it needs");
  }

  @Test
  void givenRoleNamesInAnotherScript_whenParsed_thenTheyAreKept() {
    ApprovalPolicy p =
        billing(
            "\"approvers\": [{\"telegram_id\": 1, \"roles\": [\"тестировщик\"]}],"
                + " \"roles\": {\"тестировщик\": 1}");

    assertThat(p.roles()).containsOnlyKeys("тестировщик");
  }

  @Test
  void givenAPeopleDirectory_whenParsed_thenEveryServicesApproverGetsTheirLogins() {
    Map<String, ServicePolicy> all =
        parse(
            "{\"people\": [{\"telegram_id\": 1, \"github_logins\": [\"quinn\", \"quinn-work\"]}],"
                + " \"services\": {\"billing\": {"
                + APPROVERS
                + "}, \"ledger\": {\"approvers\": [{\"telegram_id\": 1}]}}}");

    for (String service : List.of("billing", "ledger")) {
      Approver quinn = all.get(service).approval().approver(1).orElseThrow();
      assertThat(quinn.githubLogins()).containsExactly("quinn", "quinn-work");
      assertThat(quinn.hasLogin("Quinn-Work")).isTrue();
    }
    assertThat(all.get("billing").approval().approver(2).orElseThrow().githubLogins()).isEmpty();
  }

  @Test
  void givenALoginGivenToTwoPeople_whenParsed_thenTheFileIsRefusedNamingBoth() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"people\": [{\"telegram_id\": 1, \"github_logins\": [\"quinn\"]},"
                        + " {\"telegram_id\": 2, \"github_logins\": [\"Quinn\"]}],"
                        + " \"services\": {}}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the 'people' directory in policy.json")
        .hasMessageContaining("the GitHub login Quinn is given to two people, 1 and 2");
  }

  @Test
  void givenAnApproversGithubLoginThatIsAnotherPersonsInThePeopleDirectory_thenRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"people\": [{\"telegram_id\": 1, \"github_logins\": [\"carol\"]}],"
                        + " \"services\": {\"billing\": {"
                        + APPROVERS
                        + "}}}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the 'github_login' of approver 3 is the login of person 1");
  }

  @Test
  void givenHostileOrAbsurdPeopleEntries_whenParsed_thenTheFileIsRefusedNamingTheField() {
    assertThatThrownBy(
            () -> people("[{\"telegram_id\": 1, \"github_logins\": [\"al\\u202Eice\"]}]"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'github_logins' contains the bidirectional control character U+202E")
        .satisfies(e -> assertThat(TextRules.allows(e.getMessage(), TextRules.Kind.LINE)).isTrue());
    assertThatThrownBy(
            () ->
                people(
                    "[{\"telegram_id\": 1, \"github_logins\": [\"" + "a".repeat(10_000) + "\"]}]"))
        .hasMessageContaining("'github_logins' of person 1 holds GitHub logins")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    assertThatThrownBy(() -> people("[{\"telegram_id\": 1, \"github_logins\": []}]"))
        .hasMessageContaining("'github_logins' of person 1 is a list of 1 to 20 GitHub logins");
    assertThatThrownBy(() -> people("[{\"telegram_id\": \"x\", \"github_logins\": [\"a\"]}]"))
        .hasMessageContaining("every person needs a numeric 'telegram_id'");
    assertThatThrownBy(() -> people("{\"alice\": 1}"))
        .hasMessageContaining("'people' is a list of");
    assertThatThrownBy(
            () ->
                people(
                    "[{\"telegram_id\": 1, \"github_logins\": [\"a\"]},"
                        + " {\"telegram_id\": 1, \"github_logins\": [\"b\"]}]"))
        .hasMessageContaining("'people' lists the person 1 twice");
  }

  private static Map<String, ServicePolicy> people(String people) {
    return parse("{\"people\": " + people + ", \"services\": {}}");
  }
}
