package dev.rmm.api.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.api.auth.Caller;
import dev.rmm.api.policy.ServicePolicies;
import dev.rmm.api.policy.ServicePolicy;
import dev.rmm.api.problem.InvalidRequestException;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The service-to-repository binding of {@code POST /api/v1/releases}, decided before anything is
 * written: which repository, which workflow, and what happens to a service that declares neither.
 */
class RepositoryBindingTest {

  private static final ApprovalPolicy APPROVERS =
      new ApprovalPolicy(List.of(new Approver(1001, "Alice", "alice")), 1, false, List.of(1002L));
  private static final String RELEASE_YML =
      "acme/billing/.github/workflows/release.yml@refs/tags/v1.2.3";

  private static ServicePolicies policies(ServicePolicy policy, boolean allowUnbound) {
    return new ServicePolicies() {
      @Override
      public Optional<ServicePolicy> of(String service) {
        return Optional.of(policy);
      }

      @Override
      public boolean allowsUnbound() {
        return allowUnbound;
      }
    };
  }

  private static CreateReleaseRequest billingFrom(String repository) {
    return new CreateReleaseRequest(
        "billing",
        "v1.2.3",
        "dave",
        "9001",
        "https://github.com/" + repository + "/actions/runs/9001",
        "refs/tags/v1.2.3",
        repository,
        "0123456789abcdef0123456789abcdef01234567");
  }

  private static InvalidRequestException refused(Runnable create) {
    try {
      create.run();
    } catch (InvalidRequestException e) {
      return e;
    }
    throw new AssertionError("the create was accepted");
  }

  @Test
  void givenBillingBoundToItsRepository_whenAnotherRepositoryCreatesIt_then403NamingBoth() {
    ServicePolicies bound =
        policies(new ServicePolicy(APPROVERS, "acme/billing", List.of()), false);

    InvalidRequestException e =
        refused(
            () ->
                RequestCommands.create(
                    billingFrom("acme/frontend"), new Caller("acme/frontend"), bound));

    assertThat(e.status()).isEqualTo(403);
    assertThat(e.getMessage())
        .isEqualTo(
            "service 'billing' is released only from acme/billing (its policy's repository);"
                + " this request comes from acme/frontend");
  }

  @Test
  void givenBillingBound_whenTheAdminTokenNamesAnotherRepository_then403() {
    ServicePolicies bound =
        policies(new ServicePolicy(APPROVERS, "acme/billing", List.of()), false);

    assertThat(
            refused(
                    () ->
                        RequestCommands.create(
                            billingFrom("acme/frontend"), new Caller(Caller.ANY), bound))
                .getMessage())
        .contains("an admin token naming acme/frontend");
  }

  @Test
  void givenBillingBound_whenItsOwnRepositoryCreatesIt_thenTheReleaseHasItsApprovers() {
    ServicePolicies bound =
        policies(new ServicePolicy(APPROVERS, "acme/billing", List.of()), false);

    var create =
        RequestCommands.create(billingFrom("acme/billing"), new Caller("ACME/Billing"), bound);

    assertThat(create.spec().repository()).isEqualTo("acme/billing");
    assertThat(create.policy()).isEqualTo(APPROVERS);
  }

  @Test
  void givenAServiceWithoutARepository_whenUnboundServicesAreNotAllowed_then403NamingTheFix() {
    ServicePolicies secure = policies(ServicePolicy.unbound(APPROVERS), false);

    InvalidRequestException e =
        refused(
            () ->
                RequestCommands.create(
                    billingFrom("acme/billing"), new Caller("acme/billing"), secure));

    assertThat(e.status()).isEqualTo(403);
    assertThat(e.getMessage())
        .contains("service 'billing' declares no repository")
        .contains("\"repository\": \"owner/name\"")
        .contains("RMM_POLICY_FILE")
        .contains("RMM_POLICY_ALLOW_UNBOUND_SERVICES=true");
  }

  @Test
  void givenAServiceWithoutARepository_whenUnboundServicesAreAllowed_thenTheTokensOwnIsAccepted() {
    ServicePolicies demo = policies(ServicePolicy.unbound(APPROVERS), true);

    assertThat(
            RequestCommands.create(billingFrom("acme/billing"), new Caller("acme/billing"), demo)
                .spec()
                .repository())
        .isEqualTo("acme/billing");
    // the token must still belong to the repository the request names
    assertThat(
            refused(
                    () ->
                        RequestCommands.create(
                            billingFrom("acme/billing"), new Caller("acme/frontend"), demo))
                .status())
        .isEqualTo(403);
  }

  @Test
  void givenAWorkflowAllowlist_thenOnlyAnOidcTokenOfAListedWorkflowCreates() {
    ServicePolicies listed =
        policies(
            new ServicePolicy(
                APPROVERS,
                "acme/billing",
                List.of("acme/billing/.github/workflows/release.yml@refs/tags/*")),
            false);

    assertThat(
            RequestCommands.create(
                    billingFrom("acme/billing"), new Caller("acme/billing", RELEASE_YML), listed)
                .spec()
                .service())
        .isEqualTo("billing");
    assertThat(
            refused(
                    () ->
                        RequestCommands.create(
                            billingFrom("acme/billing"),
                            new Caller(
                                "acme/billing",
                                "acme/billing/.github/workflows/debug.yml@refs/heads/main"),
                            listed))
                .getMessage())
        .contains("the workflow acme/billing/.github/workflows/debug.yml@refs/heads/main")
        .contains("job_workflow_refs");
    assertThat(
            refused(
                    () ->
                        RequestCommands.create(
                            billingFrom("acme/billing"), new Caller("acme/billing"), listed))
                .getMessage())
        .contains("a repository token cannot prove which workflow runs");
  }

  @Test
  void givenAnAllowlistPattern_thenItsStarMatchesAnyTextButTheRestExactly() {
    ServicePolicy p =
        new ServicePolicy(
            APPROVERS, "acme/billing", List.of("acme/billing/.github/workflows/release.yml@*"));

    assertThat(p.allowsWorkflow(RELEASE_YML)).isTrue();
    assertThat(p.allowsWorkflow("acme/billing/.github/workflows/release-yml@refs/tags/v1"))
        .as("the '.' is literal")
        .isFalse();
    assertThat(p.allowsWorkflow("evil/billing/.github/workflows/release.yml@refs/tags/v1"))
        .isFalse();
    assertThat(p.allowsWorkflow(null)).isFalse();
  }

  @Test
  void givenNoPolicyAtAll_thenTheCreateIsRefusedAsBeforeWith422() {
    ServicePolicies none =
        new ServicePolicies() {
          @Override
          public Optional<ServicePolicy> of(String service) {
            return Optional.empty();
          }

          @Override
          public boolean allowsUnbound() {
            return false;
          }
        };

    assertThatThrownBy(
            () ->
                RequestCommands.create(
                    billingFrom("acme/billing"), new Caller("acme/billing"), none))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("no approvers are configured for service 'billing'");
  }
}
