package dev.rmm.api.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.contracts.TextRules;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A policy file is edited by people and mounted from places rmm does not control; its texts reach
 * the policy events, the cards (every approver's name), the log lines and the alerts chat. Hostile
 * or absurd text is refused (a name, a login, a service, a workflow pattern: the file is refused
 * and the policy in force stays) or made safe (the author claim: recorded without it, or
 * shortened), with a message that names the field and never repeats the text raw.
 */
class PolicyFileHostileTextTest {

  private static final String TEN_THOUSAND = "x".repeat(10_000);

  private static void parse(String json) {
    PolicyRegistry.parse(json.getBytes(StandardCharsets.UTF_8), "policy.json");
  }

  private static String withApprover(String name) {
    return "{\"services\": {\"billing\": {\"approvers\": [{\"telegram_id\": 1001, \"name\": \""
        + name
        + "\"}]}}}";
  }

  @Test
  void givenAnApproverNameOfTenThousandCharacters_whenParsed_thenTheFileIsRefusedGivingTheLength() {
    assertThatThrownBy(() -> parse(withApprover(TEN_THOUSAND)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("policy of service billing in policy.json")
        .hasMessageContaining("'name' is 10000 characters long; at most 100 are allowed")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
  }

  @Test
  void givenAnApproverNameWithABidiOverride_whenParsed_thenTheFileIsRefusedNamingTheCodePoint() {
    assertThatThrownBy(() -> parse(withApprover("Al\\u202Eecila")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'name' contains the bidirectional control character U+202E")
        .satisfies(e -> assertThat(TextRules.allows(e.getMessage(), TextRules.Kind.LINE)).isTrue());
  }

  @Test
  void givenAServiceNameOfTenThousandCharactersWithAControlCharacter_thenTheMessageShowsItCut() {
    String service = "\\u001b[31m" + TEN_THOUSAND;

    assertThatThrownBy(
            () ->
                parse(
                    "{\"services\": {\""
                        + service
                        + "\": {\"approvers\": [{\"telegram_id\": 1001}]}}}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("policy of service U+001B[31mxxx")
        .hasMessageContaining("'service' contains the control character U+001B")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300))
        .satisfies(e -> assertThat(TextRules.allows(e.getMessage(), TextRules.Kind.LINE)).isTrue());
    assertThatThrownBy(
            () ->
                parse(
                    "{\"services\": {\""
                        + TEN_THOUSAND
                        + "\": {\"approvers\": [{\"telegram_id\": 1001}]}}}"))
        .hasMessageContaining("'service' is 10000 characters long; at most 100 are allowed")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
  }

  @Test
  void givenAWorkflowPatternOfTenThousandCharacters_whenParsed_thenTheFileIsRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"services\": {\"billing\": {\"repository\": \"acme/billing\","
                        + " \"job_workflow_refs\": [\""
                        + TEN_THOUSAND
                        + "\"], \"approvers\": [{\"telegram_id\": 1001}]}}}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'job_workflow_refs' is 10000 characters long; at most 512");
  }

  @Test
  void givenAnAuthorClaimWithControlOrBidiCharacters_thenItIsNotRecordedAndTheProblemIsNamed() {
    for (String hostile : new String[] {"Olga\\u202E: evil", "Olga\\nINFO forged log line"}) {
      byte[] file = ("{\"author\": \"" + hostile + "\", \"services\": {}}").getBytes();

      PolicyReloads.AuthorClaim claim = PolicyReloads.authorClaim(file, Optional.empty());

      assertThat(claim.author()).isNull();
      assertThat(claim.problem()).get().asString().startsWith("'author' contains the ");
    }
    PolicyReloads.AuthorClaim fromEnvironment =
        PolicyReloads.authorClaim(null, Optional.of("Olga\u0007"));
    assertThat(fromEnvironment.author()).isNull();
    assertThat(fromEnvironment.problem()).get().asString().contains("U+0007");
  }

  @Test
  void givenAnAuthorClaimOfTenThousandCharacters_thenItIsShortenedWithinACharacterAndSaidSo() {
    // 199 letters, then emoji: a cut at 200 UTF-16 units would leave half of a surrogate pair
    String author = "a".repeat(199) + "😀".repeat(5_000);
    byte[] file =
        ("{\"author\": \"" + author + "\", \"services\": {}}").getBytes(StandardCharsets.UTF_8);

    PolicyReloads.AuthorClaim claim = PolicyReloads.authorClaim(file, Optional.empty());

    assertThat(claim.author()).isEqualTo("a".repeat(199) + "😀");
    assertThat(TextRules.allows(claim.author(), TextRules.Kind.LINE)).isTrue();
    assertThat(claim.problem()).get().asString().contains("5199 characters long, more than 200");
  }

  @Test
  void givenADefaultApproverWithABidiOverrideOrTenThousandCharacters_thenRefusedNamingTheSetting() {
    assertThatThrownBy(() -> PolicyRegistry.parseApprovers("1001:Al\u202Eice"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "RMM_POLICY_DEFAULT_APPROVERS (rmm.policy.default-approvers): 'name' contains the"
                + " bidirectional control character U+202E");
    assertThatThrownBy(() -> PolicyRegistry.parseApprovers("1001:" + TEN_THOUSAND))
        .hasMessageContaining("'name' is longer than 100 characters");
  }

  @Test
  void givenAPlainAuthorClaim_thenItIsRecordedAsItIs() {
    PolicyReloads.AuthorClaim claim =
        PolicyReloads.authorClaim(
            "{\"author\": \"Olga: Alice left\", \"services\": {}}".getBytes(StandardCharsets.UTF_8),
            Optional.of("ignored"));

    assertThat(claim.author()).isEqualTo("Olga: Alice left");
    assertThat(claim.problem()).isEmpty();
  }
}
