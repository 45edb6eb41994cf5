package dev.rmm.api.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy file's binding fields: repository, job_workflow_refs and on_behalf_counts. */
class PolicyFileBindingTest {

  private static Map<String, ServicePolicy> parse(String json) {
    return PolicyRegistry.parse(json.getBytes(StandardCharsets.UTF_8), "policy.json");
  }

  @Test
  void givenABoundService_whenParsed_thenItsRepositoryWorkflowsAndOnBehalfFlagAreKept() {
    ServicePolicy billing =
        parse(
                """
                {"services": {"billing": {"repository": "acme/billing",
                  "job_workflow_refs": ["acme/billing/.github/workflows/release.yml@refs/tags/*"],
                  "approvers": [{"telegram_id": 1001, "name": "Alice"}], "on_behalf_counts": true}}}
                """)
            .get("billing");

    assertThat(billing.repository()).isEqualTo("acme/billing");
    assertThat(billing.jobWorkflowRefs())
        .containsExactly("acme/billing/.github/workflows/release.yml@refs/tags/*");
    assertThat(billing.approval().onBehalfCounts()).isTrue();
  }

  @Test
  void givenAServiceWithoutTheNewFields_whenParsed_thenItIsUnboundAndOnBehalfDoesNotCount() {
    ServicePolicy old =
        parse("{\"services\": {\"billing\": {\"approvers\": [{\"telegram_id\": 1001}]}}}")
            .get("billing");

    assertThat(old.isBound()).isFalse();
    assertThat(old.jobWorkflowRefs()).isEqualTo(List.of());
    assertThat(old.approval().onBehalfCounts()).isFalse();
  }

  @Test
  void givenARepositoryThatIsNotOwnerSlashName_thenTheFileIsRefusedSayingWhere() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"services\": {\"billing\": {\"repository\": \"billing\","
                        + " \"approvers\": [{\"telegram_id\": 1001}]}}}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("policy of service billing in policy.json")
        .hasMessageContaining("\"owner/name\"");
  }

  @Test
  void givenWorkflowRefsWithoutARepository_thenTheFileIsRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"services\": {\"billing\": {\"job_workflow_refs\": [\"a/b/.github/x@*\"],"
                        + " \"approvers\": [{\"telegram_id\": 1001}]}}}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'job_workflow_refs' needs the service's 'repository'");
  }
}
