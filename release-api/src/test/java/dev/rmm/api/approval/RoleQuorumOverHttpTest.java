package dev.rmm.api.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The role quorum over HTTP (issue 15 point 3), with the policy file of the tests: catalog needs 2
 * of its 4 approvers and, beside that, one {@code qa} and one {@code lead} (Quinn and Quentin are
 * QAs, Lena is the lead, Carol holds both). Checked in the answers and in the release log itself.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class RoleQuorumOverHttpTest {

  private static final String REPO = "acme/catalog";
  private static final long QUINN = 2001;
  private static final long QUENTIN = 2002;
  private static final long LENA = 2003;
  private static final long CAROL = 1003;

  private ReleaseLog log;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    log = new ReleaseLog();
  }

  @AfterEach
  void tearDown() {
    log.close();
  }

  @Test
  void givenQaOneAndLeadOne_whenTwoQasApprove_thenTheQuorumIsNotMetUntilTheLeadApproves() {
    String id = Api.releaseInManualTesting(REPO, "catalog");

    for (long qa : new long[] {QUINN, QUENTIN}) {
      Api.approve(id, qa).then().statusCode(200).body("status", equalTo("manual_testing"));
    }
    assertThat(quorums(id)).as("two QAs meet 2 of 4 but not the lead's role").isEmpty();

    Api.approve(id, LENA).then().statusCode(200).body("status", equalTo("manual_test_passed"));
    assertThat(quorums(id))
        .singleElement()
        .satisfies(q -> assertThat(q.approverIds()).containsExactly(QUINN, QUENTIN, LENA));
  }

  @Test
  void givenAnApproverHoldingBothRoles_whenTheyAndAQaApprove_thenTheQuorumIsMet() {
    String id = Api.releaseInManualTesting(REPO, "catalog");

    Api.approve(id, CAROL).then().statusCode(200).body("status", equalTo("manual_testing"));
    Api.approve(id, QUINN).then().statusCode(200).body("status", equalTo("manual_test_passed"));

    assertThat(quorums(id))
        .singleElement()
        .satisfies(q -> assertThat(q.approverIds()).containsExactly(CAROL, QUINN));
  }

  private List<ReleaseEvent.ApprovalQuorumReached> quorums(String id) {
    return log.events(id).stream()
        .map(EventEnvelope::data)
        .filter(ReleaseEvent.ApprovalQuorumReached.class::isInstance)
        .map(ReleaseEvent.ApprovalQuorumReached.class::cast)
        .toList();
  }
}
