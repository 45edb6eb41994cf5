package dev.rmm.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rmm.api.policy.PolicyRegistry;
import dev.rmm.api.policy.ServicePolicy;
import dev.rmm.contracts.TextRules;
import java.util.Map;

/**
 * Fuzzes the policy file parser: any content either gives policies that hold (quorum within the
 * approvers, names the text rule allows) or fails start-up with an {@link IllegalStateException}
 * that says what is wrong, never another exception.
 */
class PolicyFileFuzzTest {

  @FuzzTest(maxDuration = "30m")
  void policyFile(byte[] content) {
    Map<String, ServicePolicy> policies;
    try {
      policies = PolicyRegistry.parse(content, "policy.json");
    } catch (IllegalStateException e) {
      assertThat(e.getMessage()).contains("policy.json");
      return;
    }
    policies.forEach(
        (service, sp) -> {
          assertThat(TextRules.allows(service, TextRules.Kind.LINE)).isTrue();
          assertThat(sp.repository())
              .satisfiesAnyOf(
                  r -> assertThat(r).isNull(),
                  r -> assertThat(r).matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+"));
          sp.jobWorkflowRefs()
              .forEach(w -> assertThat(TextRules.allows(w, TextRules.Kind.LINE)).isTrue());
          var p = sp.approval();
          assertThat(p.quorum()).isBetween(1, p.approvers().size());
          p.approvers()
              .forEach(
                  a ->
                      assertThat(
                              TextRules.allows(a.name(), TextRules.Kind.LINE)
                                  && TextRules.allows(a.githubLogin(), TextRules.Kind.LINE))
                          .isTrue());
        });
  }
}
