package dev.rmm.contracts.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.CommandResult;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The typed views bind the JSON the modules exchange: a {@code read_model.releases} row as {@code
 * to_jsonb} gives it (release-projector writes it, telegram-gateway reads it), and release-api's
 * answer to a command.
 */
class ReleaseViewTest {

  /** A row with every column the projector writes, as Postgres' to_jsonb renders it. */
  private static final String ROW =
      """
      {"release_id": "r-1", "service_name": "billing", "release_tag": "v1.4.0",
       "rollback_to_tag": "", "status": "manual_test_passed", "outcome": "active",
       "initiated_by": "octocat", "github_run_id": "42", "github_action_link": "https://x/42",
       "github_ref": "refs/tags/v1.4.0", "repository": "acme/billing", "commit_sha": "3f2c1a9",
       "approved_list": [{"id": 1001, "name": "Alice", "at": "2026-11-26T19:40:00.123456Z",
                          "commit_sha": "3f2c1a9", "on_behalf": true}],
       "required_approvers": [{"id": 1001, "name": "Alice", "github_login": "alice"}],
       "quorum": 1, "admins": [9001], "initiator_may_approve": false, "rejection_reason": null,
       "version": 12, "created_at": "2026-11-26T18:55:00+00:00",
       "started_at": "2026-11-26T18:56:00.5+03:00", "completed_at": null, "deployed_at": null,
       "updated_at": "2026-11-26T20:00:00+00:00",
       "dispatch": {"id": "d-1", "repository": "acme/billing", "workflow": "deploy.yml",
                    "ref": "v1.4.0", "outcome": "failed", "http_status": 404,
                    "detail": "Not Found", "retries": 1, "retry_requested_by": "Olga"},
       "runbook": null, "manual_testing_at": "2026-11-26T19:00:00+00:00",
       "decided_at": "2026-11-26T19:41:00+00:00", "deploying_at": null,
       "rollback_started_at": null, "restored_at": null, "head_hash": "ab12",
       "head_chained": true, "superseded_by_id": null, "superseded_by_tag": null,
       "approvals_voided": null,
       "break_glass": {"requests": 1, "confirmations": 0, "expiries": 0, "requested_by": 2001,
                       "requested_by_name": "Olga", "reason": "payments are down",
                       "requested_at": "2026-11-26T19:30:00Z", "expires_at": null,
                       "state": "awaiting"},
       "dispatch_held": {"until": "2026-12-05T06:00:00Z", "reason": "freeze",
                         "policy_version": 3, "at": "2026-11-26T19:42:00Z"},
       "role_quorum": [{"role": "qa", "holders": [1001, 1003], "approved": 1, "required": 1}],
       "initiator_login": "carol-work", "a_column_added_later": {"x": 1}}
      """;

  @Test
  void givenARowAsToJsonbGivesIt_thenEveryColumnBindsToItsTypedField() throws Exception {
    ReleaseView r = EventCodec.mapper().readValue(ROW, ReleaseView.class);

    assertThat(r.releaseId()).isEqualTo("r-1");
    assertThat(r.status()).isEqualTo(ReleaseStatus.MANUAL_TEST_PASSED);
    assertThat(r.outcome()).isEqualTo(Outcome.ACTIVE);
    assertThat(r.version()).isEqualTo(12);
    assertThat(r.createdAt().toInstant()).isEqualTo(Instant.parse("2026-11-26T18:55:00Z"));
    assertThat(r.startedAt().toInstant()).isEqualTo(Instant.parse("2026-11-26T15:56:00.5Z"));
    assertThat(r.completedAt()).isNull();
    assertThat(r.approvedList())
        .containsExactly(
            new Approval(1001, "Alice", r.approvedList().get(0).at(), "3f2c1a9", true));
    assertThat(r.approvedList().get(0).at().toInstant())
        .isEqualTo(Instant.parse("2026-11-26T19:40:00.123456Z"));
    assertThat(r.requiredApprovers())
        .containsExactly(new Person(1001, "Alice", "alice", List.of()));
    assertThat(r.isApprover(1001)).isTrue();
    assertThat(r.isAdmin(9001)).isTrue();
    assertThat(r.isAdmin(1001)).isFalse();
    assertThat(r.quorumOrAll()).isEqualTo(1);
    assertThat(r.dispatchFailed()).isTrue();
    assertThat(r.dispatch().httpStatus()).isEqualTo(404);
    assertThat(r.dispatch().retries()).isEqualTo(1);
    assertThat(r.dispatch().retryRequestedBy()).isEqualTo("Olga");
    assertThat(r.runbook()).isNull();
    assertThat(r.breakGlass().isAwaiting()).isTrue();
    assertThat(r.breakGlass().requestedBy()).isEqualTo(2001L);
    assertThat(r.breakGlass().expiresAt()).isNull();
    assertThat(r.dispatchHeld().policyVersion()).isEqualTo(3L);
    assertThat(r.initiatorLogin()).isEqualTo("carol-work");
    assertThat(r.roleQuorum()).containsExactly(new RoleTally("qa", 1, 1, List.of(1001L, 1003L)));
    // not columns: the gateway sets them from the policy in force
    assertThat(r.requiredRoles()).isNull();
    assertThat(r.initiatorName()).isNull();
    assertThat(r.breakGlassWindow()).isEqualTo(ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW);
  }

  @Test
  void givenThePolicyInForce_thenTheViewCarriesItsFieldsAndKeepsTheRest() throws Exception {
    ReleaseView r = EventCodec.mapper().readValue(ROW, ReleaseView.class);

    ReleaseView now =
        r.withPolicy(
                List.of(new Person(7, null, null, List.of("qa"))),
                List.of(8L),
                2,
                true,
                Map.of("qa", 1),
                60,
                3,
                5)
            .withInitiatorName("Carol");

    assertThat(now.requiredApprovers().get(0).displayName()).isEqualTo("7");
    assertThat(now.isAdmin(8)).isTrue();
    assertThat(now.isAdmin(9001)).isFalse();
    assertThat(now.quorumOrAll()).isEqualTo(2);
    assertThat(now.requiredRoles()).containsEntry("qa", 1);
    assertThat(now.approvalExpiryMinutes()).isEqualTo(60);
    assertThat(now.breakGlassWindow()).isEqualTo(java.time.Duration.ofMinutes(3));
    assertThat(now.policyVersion()).isEqualTo(5);
    assertThat(now.initiatorName()).isEqualTo("Carol");
    assertThat(now.dispatch()).isEqualTo(r.dispatch());
    assertThat(now.version()).isEqualTo(r.version());
    // every column stays as the row has it, the role quorum recorded at creation included
    assertThat(now.withPolicy(r.requiredApprovers(), r.admins(), 1, false, null, 0, 0, 0))
        .usingRecursiveComparison()
        .ignoringFields(
            "initiatorName",
            "requiredRoles",
            "approvalExpiryMinutes",
            "breakGlassWindowMinutes",
            "policyVersion")
        .isEqualTo(r);
    assertThat(now.roleQuorum()).isEqualTo(r.roleQuorum());
  }

  @Test
  void givenAnEmptyRow_thenListsAreEmptyAndTheQuorumIsEveryApprover() throws Exception {
    ReleaseView r =
        EventCodec.mapper()
            .readValue(
                "{\"release_id\": \"r-2\", \"required_approvers\": [{\"id\": 1}, {\"id\": 2}]}",
                ReleaseView.class);

    assertThat(r.approvedList()).isEmpty();
    assertThat(r.admins()).isEmpty();
    assertThat(r.rollbackToTag()).isEmpty();
    assertThat(r.quorumOrAll()).isEqualTo(2);
    assertThat(r.dispatchFailed()).isFalse();
    assertThat(r.roleQuorum()).isNull();
  }

  @Test
  void givenReleaseApisAnswerToACommand_thenItBindsWithTheReleaseItShows() throws Exception {
    CommandResult c =
        EventCodec.mapper()
            .readValue(
                """
                {"command_id": "tg-1", "release_id": "r-1", "outcome": "accepted",
                 "status": "manual_test_passed", "version": 9, "approvals": 2, "quorum": 2,
                 "events": ["%s"],
                 "release": {"release_id": "r-1", "service_name": "billing",
                             "release_tag": "v1.4.0", "status": "manual_test_passed",
                             "allowed_next": ["deploying"]}}
                """
                    .formatted(ReleaseEvent.ApprovalQuorumReached.TYPE),
                CommandResult.class);

    assertThat(c.accepted()).isTrue();
    assertThat(c.reasonOrEmpty()).isEmpty();
    assertThat(c.status()).isEqualTo(ReleaseStatus.MANUAL_TEST_PASSED);
    assertThat(c.version()).isEqualTo(9);
    assertThat(c.events()).containsExactly(ReleaseEvent.ApprovalQuorumReached.TYPE);
    assertThat(c.release().serviceName()).isEqualTo("billing");
  }

  @Test
  void givenARefusalOfAnUnknownRelease_thenItBindsWithoutStatusOrRelease() throws Exception {
    CommandResult c =
        EventCodec.mapper()
            .readValue(
                "{\"command_id\": \"tg-2\", \"outcome\": \"refused\", \"reason\": \"not_found\","
                    + " \"detail\": \"release x not found\", \"events\": []}",
                CommandResult.class);

    assertThat(c.accepted()).isFalse();
    assertThat(c.reason()).isEqualTo("not_found");
    assertThat(c.status()).isNull();
    assertThat(c.release()).isNull();
    assertThat(c.version()).isZero();
  }
}
