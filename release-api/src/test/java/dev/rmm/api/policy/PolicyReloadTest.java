package dev.rmm.api.policy;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.as;
import static dev.rmm.api.support.Api.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseEvent.ActionRefused;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Policy as data in the log (issue 13, point 9), against the real broker: release-api watches its
 * policy file while it runs; a change is appended to the policy topic as a {@code
 * release.policy-changed.v1} event (who, when, what) and the next decision uses it and names its
 * version; a removed approver's approval stops counting, a removed admin cannot roll back; a broken
 * file is refused (log line and alert) and the policy in force stays.
 */
@QuarkusTest
@TestProfile(PolicyReloadTest.WatchedFile.class)
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class PolicyReloadTest {

  static final String SERVICE = "paydesk";

  /** Alice, Bob and Carol approve (2 of 3); Bob is the admin. */
  static final String BEFORE =
      """
      {"services": {"paydesk": {"repository": "acme/billing",
        "approvers": [{"telegram_id": 1001, "name": "Alice"}, {"telegram_id": 1002, "name": "Bob"},
                      {"telegram_id": 1003, "name": "Carol"}],
        "quorum": 2, "admins": [1002], "on_behalf_counts": true}}}
      """;

  /** Alice left: Bob, Carol and Dave approve (2 of 3); Dave replaces Bob as the admin. */
  static final String AFTER =
      """
      {"author": "Olga (team lead): Alice left, Dave is the admin",
       "services": {"paydesk": {"repository": "acme/billing",
        "approvers": [{"telegram_id": 1002, "name": "Bob"}, {"telegram_id": 1003, "name": "Carol"},
                      {"telegram_id": 1004, "name": "Dave"}],
        "quorum": 2, "admins": [1004], "on_behalf_counts": true}}}
      """;

  /** The file the running release-api watches (a copy per test run). */
  public static final class WatchedFile implements QuarkusTestProfile {
    static final Path FILE = create();

    private static Path create() {
      try {
        Path dir = Files.createTempDirectory("rmm-policy-reload");
        Path f = dir.resolve("policy.json");
        Files.writeString(f, BEFORE);
        return f;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("rmm.policy.file", FILE.toString(), "rmm.policy.reload-interval", "200ms");
    }
  }

  @Inject Pool pg;

  private ReadModelStandIn readModel;
  private ReleaseLog log;
  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    readModel = new ReadModelStandIn(pg);
    readModel.create();
    log = new ReleaseLog();
    Logger.getLogger(PolicyReloads.class.getName()).addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    Logger.getLogger(PolicyReloads.class.getName()).removeHandler(capture);
    log.close();
    readModel.drop(); // the other tests run without a read model
  }

  @Test
  void givenARunningApi_whenThePolicyFileChanges_thenItIsLoggedAndTheNextDecisionsUseItsVersion()
      throws IOException {
    long before = awaitInForce(BEFORE, 1002L);
    String id = Api.releaseInManualTesting(BILLING_REPO, SERVICE);
    Api.approve(id, 1001).then().statusCode(200);
    assertThat(last(id)).isEqualTo(granted(1001, "Alice", before));

    writeFile(AFTER);
    long after = awaitInForce(AFTER, 1004L);

    // (a) the change is in the log: who, when, what
    EventEnvelope changed = PolicyTopic.newest();
    assertThat(after).isGreaterThan(before);
    assertThat(changed.actor().kind()).isEqualTo(Actor.Kind.SYSTEM);
    assertThat(changed.actor().id()).startsWith("release-api@");
    assertThat(changed.occurredAt()).isNotNull();
    PolicyChanged what = PolicyTopic.policy(changed);
    assertThat(what.changed()).containsExactly(SERVICE);
    assertThat(what.author()).isEqualTo("Olga (team lead): Alice left, Dave is the admin");
    assertThat(what.source()).isEqualTo(WatchedFile.FILE.toString());
    assertThat(what.sha256()).isEqualTo(PolicyReloads.sha256(Files.readAllBytes(WatchedFile.FILE)));
    assertThat(what.services().get(SERVICE).approval().admins()).containsExactly(1004L);

    // (b) the next decisions use it and name its version: Alice's approval no longer counts
    assertProblem(
        Api.approve(id, 1001), 403, "not an approver of paydesk (policy version " + after + ")");
    assertThat(last(id)).isInstanceOf(ActionRefused.class);
    assertThat(((ActionRefused) last(id)).policyVersion()).isEqualTo(after);
    Api.approve(id, 1002).then().statusCode(200);
    assertThat(last(id))
        .as("Bob's is the only approval that counts: Alice is no longer an approver")
        .isEqualTo(granted(1002, "Bob", after));
    Api.approve(id, 1004).then().statusCode(200);
    assertThat(last(id)).isEqualTo(new ApprovalQuorumReached(List.of(1002L, 1004L), after));

    // a removed admin can no longer roll back; the new one passes the admin check
    Api.stepOk(ADMIN, id, "deploying");
    Api.stepOk(ADMIN, id, "deployed");
    assertProblem(
        rollback(id, 1002, "v1.0.0"),
        403,
        "user 1002 is not an admin of paydesk (policy version " + after + ")");
    assertThat(((ActionRefused) last(id)).policyVersion()).isEqualTo(after);
    assertProblem(rollback(id, 1004, "v1.0.0"), 409, "is not a rollback target");
  }

  @Test
  void givenARunningApi_whenTheNewFileIsBroken_thenItIsRefusedAndThePolicyInForceStays()
      throws IOException {
    long kept = awaitInForce(BEFORE, 1002L);
    int policyEvents = PolicyTopic.valid().size();

    writeFile("{\"services\": {\"paydesk\": {\"approvers\": [{\"name\": \"no id\"}]}}}");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                logged.stream()
                    .anyMatch(
                        r ->
                            r.getLevel().intValue() >= Level.SEVERE.intValue()
                                && r.getMessage().contains("Refused the changed policy file")));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> PolicyTopic.alerts().stream().anyMatch(a -> a.kind().equals("policy-refused")));
    assertThat(
            PolicyTopic.alerts().stream()
                .filter(a -> a.kind().equals("policy-refused"))
                .reduce((a, b) -> b)
                .orElseThrow()
                .detail())
        .contains("every approver needs a numeric 'telegram_id'");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> PolicyTopic.valid().size() == policyEvents);

    // the old policy still decides, naming its version
    String id = Api.releaseInManualTesting(BILLING_REPO, SERVICE);
    Api.approve(id, 1001).then().statusCode(200);
    assertThat(last(id)).isEqualTo(granted(1001, "Alice", kept));

    // a good file is loaded again
    writeFile(AFTER);
    assertThat(awaitInForce(AFTER, 1004L)).isGreaterThan(kept);
  }

  /** Waits until the policy in force gives paydesk the admin of {@code content}; its version. */
  private static long awaitInForce(String content, long admin) throws IOException {
    if (!Files.readString(WatchedFile.FILE).equals(content)) {
      writeFile(content);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                PolicyTopic.policy(PolicyTopic.newest())
                    .services()
                    .get(SERVICE)
                    .approval()
                    .admins()
                    .equals(List.of(admin)));
    return PolicyTopic.newest().sequence();
  }

  /** Replaces the file at once, as an editor or a ConfigMap update does. */
  private static void writeFile(String content) throws IOException {
    Path tmp = WatchedFile.FILE.resolveSibling("policy.json.tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(
        tmp, WatchedFile.FILE, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private ReleaseEvent last(String id) {
    List<EventEnvelope> events = log.events(id);
    return events.get(events.size() - 1).data();
  }

  private static Response rollback(String id, long user, String target) {
    return as(ADMIN)
        .body(Map.of("telegram_user_id", user, "name", "user " + user, "target_tag", target))
        .post("/api/v1/releases/{id}/rollback", id);
  }

  /** An approval of quorum 2 as the decider grants it: bound to Api.createBody's tag and commit. */
  private static ApprovalGranted granted(long id, String name, Long policyVersion) {
    return new ApprovalGranted(
        id, name, 1, 2, policyVersion, "v1.2.3", "0123456789abcdef0123456789abcdef01234567");
  }
}
