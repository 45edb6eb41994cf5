package dev.rmm.orchestrator.supersede;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.EventChain;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Which older release of a service a newer one supersedes, and which release the orchestrator must
 * not dispatch, as the log shows them.
 */
class ServiceReleasesTest {

  private final ServiceReleases view = new ServiceReleases();
  private final Map<String, String> heads = new HashMap<>();
  private final Map<String, Long> seqs = new HashMap<>();
  private Instant clock = Instant.parse("2026-11-30T10:00:00Z");

  @Test
  void givenTwoReleases_whenTheNewerReachesManualTesting_thenTheOlderIsDue() {
    create("old", "billing", "v1.4.0");
    toManualTesting("old");
    create("new", "billing", "v1.5.0");
    assertThat(view.due("billing")).as("the newer one is not on stage yet").isEmpty();

    toManualTesting("new");

    List<ServiceReleases.Due> due = view.due("billing");
    assertThat(due).hasSize(1);
    assertThat(due.get(0).older().releaseId()).isEqualTo("old");
    assertThat(due.get(0).newer().releaseId()).isEqualTo("new");
    assertThat(due.get(0).commandId()).isEqualTo("supersede-old-new");
    assertThat(view.due("shop")).as("another service is not concerned").isEmpty();
  }

  @Test
  void
      givenTheNewestStandingReachedStageBeforeTheOlderWasCreated_thenTheNewestOfTheOthersThatCameLaterSupersedesIt() {
    create("v20", "billing", "v2.0.0");
    toManualTesting("v20");
    create("v14", "billing", "v1.4.0");
    create("v15", "billing", "v1.5.0");
    create("v16", "billing", "v1.6.0");
    toManualTesting("v15");
    toManualTesting("v16");

    List<ServiceReleases.Due> due = view.due("billing");

    assertThat(due)
        .extracting(d -> d.older().releaseId() + "<" + d.newer().releaseId())
        .as(
            "v2.0.0 was on stage before v1.4.0 existed, so v1.6.0 (the newest of those that came"
                + " later) supersedes v1.4.0, and v1.5.0 too")
        .containsExactlyInAnyOrder("v14<v16", "v15<v16");
  }

  @Test
  void givenManyReleasesOfAService_whenTheNewestReachesStage_thenEveryOlderOneIsDueOnce() {
    for (int i = 0; i < 2_000; i++) {
      create("r" + i, "billing", "v1.0." + i);
    }
    assertThat(view.due("billing")).as("nothing stands yet").isEmpty();

    toManualTesting("r1999");

    List<ServiceReleases.Due> due = view.due("billing");
    assertThat(due).hasSize(1_999).allMatch(d -> d.newer().releaseId().equals("r1999"));
    assertThat(due).extracting(ServiceReleases.Due::commandId).doesNotHaveDuplicates();
  }

  @Test
  void givenABusyService_thenOnlyEventsThatMayMakeAReleaseDueNameTheService() {
    create("old", "billing", "v1.4.0");
    create("new", "billing", "v1.5.0");
    assertThat(step("new", ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING))
        .as("a step before manual testing makes nothing due")
        .isEmpty();
    assertThat(step("new", ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_TEST_ROLLBACK))
        .isEmpty();

    assertThat(step("new", ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING))
        .as("it begins to stand")
        .contains("billing");
    assertThat(view.due("billing")).hasSize(1);

    create("later", "billing", "v1.6.0");
    assertThat(step("old", ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING))
        .as("a step of a release that does not begin to stand")
        .isEmpty();
    assertThat(append("new", new ReleaseEvent.ReleaseRejected(1L, "Ann", "broken")))
        .as("it stops standing: another release may supersede now")
        .contains("billing");
  }

  @Test
  void givenAServiceWithAStandingRelease_whenMoreAreCreated_thenOnlyTheNewOnesAreLookedAtAgain() {
    for (int i = 0; i < 5; i++) {
      create("old" + i, "billing", "v1.0." + i);
    }
    create("v2", "billing", "v2.0.0");
    toManualTesting("v2");
    assertThat(view.newlyDue("billing"))
        .as("v2.0.0 began to stand: every older release is looked at")
        .hasSize(5);
    assertThat(view.newlyDue("billing")).as("nothing read since").isEmpty();

    create("later", "billing", "v1.5.0"); // lower, but created after v2.0.0 reached stage
    assertThat(view.newlyDue("billing"))
        .as("only the new release is looked at, and it came after v2.0.0 reached stage")
        .isEmpty();
    assertThat(view.due("billing"))
        .as("a full look (the recheck) still finds the five older ones until they are superseded")
        .hasSize(5);
  }

  @Test
  void givenTheOlderWasSuperseded_thenNothingIsDueAnyMore() {
    create("old", "billing", "v1.4.0");
    create("new", "billing", "v1.5.0");
    toManualTesting("new");

    append("old", new ReleaseEvent.ReleaseSuperseded(ReleaseStatus.INITIATED, "new", "v1.5.0"));

    assertThat(view.due("billing")).isEmpty();
  }

  @Test
  void givenAHotfixTaggedLowerButCreatedLater_whenItReachesManualTesting_thenItSupersedesNothing() {
    create("current", "billing", "v1.5.0");
    create("hotfix", "billing", "v1.4.1");

    toManualTesting("hotfix");

    assertThat(view.due("billing")).isEmpty();
    assertThat(view.newerThan("current")).isEmpty();
  }

  @Test
  void
      givenAHotfixCreatedAfterTheNewerReachedStage_thenItIsNotSupersededButNeverDispatchedOnceTheNewerIsApproved() {
    create("v15", "billing", "v1.5.0");
    toManualTesting("v15");
    create("hotfix", "billing", "v1.4.1");
    toManualTesting("hotfix");
    assertThat(view.due("billing")).as("it came after v1.5.0 reached stage").isEmpty();
    assertThat(view.newerThan("hotfix")).as("v1.5.0 is not approved yet").isEmpty();

    append("v15", new ReleaseEvent.ApprovalQuorumReached(List.of(1L)));

    assertThat(view.newerThan("hotfix"))
        .hasValueSatisfying(n -> assertThat(n.releaseId()).isEqualTo("v15"));
  }

  @Test
  void givenAnOlderReleaseWhoseDispatchWasClaimed_thenItIsNotSuperseded() {
    create("old", "billing", "v1.4.0");
    toManualTesting("old");
    append("old", new ReleaseEvent.ApprovalQuorumReached(List.of(1L)));
    append("old", new ReleaseEvent.DispatchStarted("d-1", "acme/billing", "deploy.yml", "main"));
    create("new", "billing", "v1.5.0");

    toManualTesting("new");

    assertThat(view.due("billing")).isEmpty();
  }

  @Test
  void givenAnApprovedOlderRelease_whenANewerOneIsOnStage_thenTheGuardNamesTheNewer() {
    create("old", "billing", "v1.4.0");
    toManualTesting("old");
    create("new", "billing", "v1.5.0");
    toManualTesting("new");
    append("old", new ReleaseEvent.ApprovalQuorumReached(List.of(1L)));

    assertThat(view.newerThan("old"))
        .hasValueSatisfying(n -> assertThat(n.tag()).isEqualTo("v1.5.0"));
    assertThat(view.newerThan("new")).isEmpty();
  }

  @Test
  void givenANewerReleaseThatFailedOnStage_thenItSupersedesNothing() {
    create("old", "billing", "v1.4.0");
    create("new", "billing", "v1.5.0");
    toManualTesting("new");
    append(
        "new", new ReleaseEvent.ReleaseRejected(1L, "Ann", "broken login")); // rejected in testing

    assertThat(view.due("billing")).isEmpty();
    assertThat(view.newerThan("old")).isEmpty();
  }

  @Test
  void givenAnEventThatLostARace_thenItChangesNothing() {
    create("old", "billing", "v1.4.0");
    create("new", "billing", "v1.5.0");
    // a second writer's event at the same sequence as a valid one: void under the chain rule
    byte[] forged =
        stored(
            "new",
            2,
            "f".repeat(64),
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING, null));

    view.apply("new", forged);

    assertThat(view.due("billing")).isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  private void create(String id, String service, String tag) {
    append(
        id,
        new ReleaseEvent.ReleaseCreated(
            new ReleaseSpec(
                service,
                tag,
                "octocat",
                "1",
                "https://x/1",
                "refs/tags/" + tag,
                "acme/" + service,
                "abc1234"),
            new ApprovalPolicy(
                List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, List.of())));
  }

  private void toManualTesting(String id) {
    append(
        id,
        new ReleaseEvent.StatusChanged(
            ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING, null));
  }

  private Optional<String> append(String id, ReleaseEvent data) {
    long seq = seqs.merge(id, 1L, Long::sum);
    byte[] record = stored(id, seq, heads.getOrDefault(id, EventChain.GENESIS), data);
    heads.put(id, EventChain.hash(record));
    return view.apply(id, record);
  }

  private Optional<String> step(String id, ReleaseStatus from, ReleaseStatus to) {
    return append(id, new ReleaseEvent.StatusChanged(from, to, null));
  }

  private byte[] stored(String id, long seq, String prev, ReleaseEvent data) {
    clock = clock.plusSeconds(1);
    return EventCodec.encode(
        new EventEnvelope(
                UUID.randomUUID().toString(),
                id,
                seq,
                clock,
                Actor.system("test"),
                null,
                null,
                null,
                data)
            .chainedTo(prev));
  }
}
