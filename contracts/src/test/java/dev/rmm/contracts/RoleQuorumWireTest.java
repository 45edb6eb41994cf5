package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.ReleaseEvent.ReleaseCreated;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The role quorum and the authenticated initiator (issue 15 point 3) add optional fields to {@code
 * release.created.v1}: the spec's {@code initiator_login}, an approver's {@code roles} and {@code
 * github_logins}, the policy's {@code roles}. {@code golden-roles/} pins the new shape; the file of
 * {@code golden/} (without them) still reads, with no role and no login, and a policy without roles
 * is written exactly as before.
 */
class RoleQuorumWireTest {

  @Test
  void givenACreatedEventWithRolesAndAnAuthenticatedInitiator_whenEncoded_thenItIsTheGoldenFile()
      throws IOException {
    EventEnvelope old = EventCodecGoldenTest.fixture(ReleaseCreated.TYPE);
    ReleaseCreated c = (ReleaseCreated) old.data();
    ReleaseSpec s = c.spec();
    ReleaseSpec spec =
        new ReleaseSpec(
            s.service(),
            s.tag(),
            s.initiator(),
            s.githubRunId(),
            s.githubRunLink(),
            s.ref(),
            s.repository(),
            s.commitSha(),
            "carol-gh");
    Map<String, Integer> roles = new LinkedHashMap<>();
    roles.put("qa", 1);
    roles.put("lead", 1);
    Approver bob = c.policy().approvers().get(0).withRoles(List.of("lead"));
    Approver carol =
        c.policy()
            .approvers()
            .get(1)
            .withRoles(List.of("qa", "lead"))
            .withGithubLogins(List.of("carol-gh", "carol-work"));
    Approver quinn = new Approver(5011111111L, "Quinn", null).withRoles(List.of("qa"));
    ApprovalPolicy policy =
        new ApprovalPolicy(
                List.of(bob, carol, quinn),
                c.policy().quorum(),
                false,
                c.policy().admins(),
                false,
                null)
            .withRoles(roles);
    EventEnvelope created =
        new EventEnvelope(
            old.id(),
            old.releaseId(),
            old.sequence(),
            old.occurredAt(),
            Actor.github(s.repository(), "carol-gh"),
            old.correlationId(),
            old.causationId(),
            old.traceparent(),
            old.prevHash(),
            new ReleaseCreated(spec, policy));
    byte[] golden = resource("/golden-roles/release.created.v1.json");

    JsonNode encoded = EventCodec.mapper().readTree(EventCodec.encode(created));

    assertThat(encoded).isEqualTo(EventCodec.mapper().readTree(golden));
    EventEnvelope decoded = EventCodec.decode(golden);
    assertThat(decoded).isEqualTo(created);
    ReleaseCreated back = (ReleaseCreated) decoded.data();
    assertThat(back.policy().roles().keySet()).as("the file's order").containsExactly("qa", "lead");
    assertThat(back.spec().startedBy()).isEqualTo("carol-gh");
  }

  @Test
  void givenACreatedEventWrittenBeforeRoles_whenDecoded_thenNoRoleAndNoAuthenticatedInitiator() {
    EventEnvelope old = EventCodec.decode(EventCodecGoldenTest.golden(ReleaseCreated.TYPE));

    ReleaseCreated c = (ReleaseCreated) old.data();
    assertThat(c.policy().roles()).isEmpty();
    assertThat(c.policy().hasRoles()).isFalse();
    assertThat(c.policy().approvers()).allSatisfy(a -> assertThat(a.roles()).isEmpty());
    assertThat(c.policy().approvers()).allSatisfy(a -> assertThat(a.githubLogins()).isEmpty());
    assertThat(c.spec().initiatorLogin()).isNull();
    assertThat(c.spec().startedBy()).isEqualTo("alice-gh");
    assertThat(old).isEqualTo(EventCodecGoldenTest.fixture(ReleaseCreated.TYPE));
  }

  @Test
  void givenAPolicyWithoutRoles_whenEncoded_thenItHasNoRoleFields() throws IOException {
    ApprovalPolicy policy =
        new ApprovalPolicy(List.of(new Approver(1, "Bob", null)), 1, false, List.of(9L));

    JsonNode json = EventCodec.mapper().readTree(EventCodec.mapper().writeValueAsBytes(policy));

    assertThat(json.has("roles")).isFalse();
    assertThat(json.path("approvers").get(0).has("roles")).isFalse();
    assertThat(json.path("approvers").get(0).has("github_logins")).isFalse();
    assertThat(json.size()).isEqualTo(4);
  }

  private static byte[] resource(String path) throws IOException {
    try (InputStream in = RoleQuorumWireTest.class.getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return in.readAllBytes();
    }
  }
}
