package dev.rmm.projector;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The role quorum in the read model (issue 15 point 3): the row of a release whose policy names
 * roles ({@code qa: 1, lead: 1}) carries each role, how many approvals it needs, how many the
 * approvals given fill (one approver fills one role only, matched as the decider matches) and who
 * holds it; a moved tag empties it with the approvals; a rebuild from offset 0 gives the same rows.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RoleQuorumProjectionTest {

  /** Alice and Carol test (qa), Lena leads and tests (lead, qa); two approvals, qa 1 and lead 1. */
  private static final ApprovalPolicy ROLES =
      new ApprovalPolicy(
              List.of(
                  new Approver(1001, "Alice", "alice").withRoles(List.of("qa")),
                  new Approver(1003, "Carol", null).withRoles(List.of("qa")),
                  new Approver(1004, "Lena", null).withRoles(List.of("lead", "qa"))),
              2,
              false,
              List.of(1002L))
          .withRoles(rolesQaAndLead());

  @Inject LiveProjector live;
  @Inject Pool pg;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @Test
  void givenQaOneAndLeadOne_whenTwoQasApprove_thenTheRowShowsLeadMissing_andTheRebuildAgrees()
      throws Exception {
    EventLog.createTopic(bootstrap, 3);
    live.start();
    String twoQas;
    String voidedThenMet;
    String noRoles;
    try (EventLog log = new EventLog(bootstrap)) {
      twoQas = log.releaseToManualTesting("roles-two-qas", "v1.0.0", ROLES);
      log.append(twoQas, new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 2));
      log.append(twoQas, new ReleaseEvent.ApprovalGranted(1003, "Carol", 2, 2));

      voidedThenMet = log.releaseToManualTesting("roles-voided", "v1.0.0", ROLES);
      log.append(voidedThenMet, new ReleaseEvent.ApprovalGranted(1001, "Alice", 1, 2));
      log.append(
          voidedThenMet,
          new ReleaseEvent.ApprovalsVoided(
              "v1.0.0", "abc1234", "def5678", List.of(1001L), "the tag moved"));
      // Lena first takes a qa place; Alice's approval moves her to lead (a maximum matching)
      log.append(voidedThenMet, new ReleaseEvent.ApprovalGranted(1004, "Lena", 1, 2));
      log.append(voidedThenMet, new ReleaseEvent.ApprovalGranted(1001, "Alice", 2, 2));
      log.append(
          voidedThenMet, new ReleaseEvent.ApprovalQuorumReached(List.of(1004L, 1001L), null));

      noRoles = log.releaseToManualTesting("roles-none", "v1.0.0");
      log.flush();
    }

    JsonArray missingLead = roleQuorum(new ReadModelChecks(pg, bootstrap).awaitRow(twoQas, 6));
    assertThat(missingLead.encode())
        .isEqualTo(
            "[{\"role\":\"qa\",\"holders\":[1001,1003,1004],\"approved\":1,\"required\":1},"
                + "{\"role\":\"lead\",\"holders\":[1004],\"approved\":0,\"required\":1}]");

    JsonArray met = roleQuorum(new ReadModelChecks(pg, bootstrap).awaitRow(voidedThenMet, 9));
    assertThat(met.getJsonObject(0).getString("role")).isEqualTo("qa");
    assertThat(met.getJsonObject(0).getInteger("approved")).isEqualTo(1);
    assertThat(met.getJsonObject(1).getString("role")).isEqualTo("lead");
    assertThat(met.getJsonObject(1).getInteger("approved")).isEqualTo(1);

    assertThat(new ReadModelChecks(pg, bootstrap).awaitRow(noRoles, 4).getValue("role_quorum"))
        .as("no roles, no column")
        .isNull();

    Map<String, Object> report =
        given()
            .header("Authorization", "Bearer test-admin-token")
            .queryParam("swap", "false")
            .when()
            .post("/admin/rebuild")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getMap("");
    Map<?, ?> differences = (Map<?, ?>) report.get("differences");
    assertThat(differences).allSatisfy((t, n) -> assertThat(((Number) n).longValue()).isZero());
  }

  @Test
  void givenTheLeadApproved_whenTheTagMoves_thenNoApprovalFillsARoleAnyMore() throws Exception {
    EventLog.createTopic(bootstrap, 3);
    live.start();
    String id;
    try (EventLog log = new EventLog(bootstrap)) {
      id = log.releaseToManualTesting("roles-voided-only", "v1.0.0", ROLES);
      log.append(id, new ReleaseEvent.ApprovalGranted(1004, "Lena", 1, 2));
      log.append(
          id,
          new ReleaseEvent.ApprovalsVoided(
              "v1.0.0", "abc1234", "def5678", List.of(1004L), "the tag moved"));
      log.flush();
    }
    JsonArray voided = roleQuorum(new ReadModelChecks(pg, bootstrap).awaitRow(id, 6));
    assertThat(voided.getJsonObject(0).getInteger("approved")).isZero();
    assertThat(voided.getJsonObject(1).getInteger("approved")).isZero();
  }

  @Test
  void
      givenAReleaseCreatedWithAnOidcActor_whenProjected_thenTheRowKeepsTheLoginBesideTheReportedText()
          throws Exception {
    EventLog.createTopic(bootstrap, 3);
    live.start();
    ReleaseSpec reported = EventLog.spec("initiator-login", "v1.0.0");
    ReleaseSpec spec =
        new ReleaseSpec(
            reported.service(),
            reported.tag(),
            "octocat",
            reported.githubRunId(),
            reported.githubRunLink(),
            reported.ref(),
            reported.repository(),
            reported.commitSha(),
            "carol-work");
    String withoutLogin;
    try (EventLog log = new EventLog(bootstrap)) {
      log.append(spec.releaseId(), new ReleaseEvent.ReleaseCreated(spec, EventLog.POLICY));
      withoutLogin = log.releaseToManualTesting("initiator-login", "v1.0.1");
      log.flush();
    }
    Row row = new ReadModelChecks(pg, bootstrap).awaitRow(spec.releaseId(), 1);
    assertThat(row.getString("initiator_login")).isEqualTo("carol-work");
    assertThat(row.getString("initiated_by")).isEqualTo("octocat");
    assertThat(
            new ReadModelChecks(pg, bootstrap)
                .awaitRow(withoutLogin, 4)
                .getString("initiator_login"))
        .isNull();
  }

  private static Map<String, Integer> rolesQaAndLead() {
    Map<String, Integer> roles = new LinkedHashMap<>();
    roles.put("qa", 1);
    roles.put("lead", 1);
    return roles;
  }

  private static JsonArray roleQuorum(Row row) {
    return new JsonArray(String.valueOf(row.getValue("role_quorum")));
  }
}
