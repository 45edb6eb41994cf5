package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseDecider.evolve;
import static dev.rmm.contracts.ReleaseDecider.evolveAll;
import static dev.rmm.contracts.Releases.ADMIN;
import static dev.rmm.contracts.Releases.ALICE;
import static dev.rmm.contracts.Releases.BOB;
import static dev.rmm.contracts.Releases.CAROL;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.PIPELINE;
import static dev.rmm.contracts.Releases.SPEC;
import static dev.rmm.contracts.Releases.STRANGER;
import static dev.rmm.contracts.Releases.telegram;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.Approve;
import dev.rmm.contracts.ReleaseCommand.CancelRelease;
import dev.rmm.contracts.ReleaseCommand.CreateRelease;
import dev.rmm.contracts.ReleaseCommand.Reject;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseCommand.RequestRollback;
import dev.rmm.contracts.ReleaseEvent.ActionRefused;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.ApprovalsVoided;
import dev.rmm.contracts.ReleaseEvent.ReleaseCreated;
import dev.rmm.contracts.ReleaseEvent.ReleaseRejected;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Invariants of the decider over random command sequences applied with decide + evolve from {@link
 * ReleaseState#none}: random approvers (approvers, the initiator, admins, strangers), random
 * statuses, random seen versions. A plain seeded generator: a failure names its seed and the
 * commands up to the first broken invariant; {@code -Drmm.seed=<seed>} runs that case first.
 */
class ReleaseDeciderPropertiesTest {

  private static final int TRIES = 1000;
  private static final int MAX_COMMANDS = 60;
  private static final long DAVE = 104;
  private static final List<Approver> CANDIDATES =
      List.of(
          new Approver(ALICE, "Alice", "Alice-GH"), // pushed the tag
          new Approver(BOB, "Bob", "bob-gh"),
          new Approver(CAROL, "Carol", null),
          new Approver(DAVE, "Dave", "dave-gh"));
  private static final List<Long> PEOPLE = List.of(ALICE, BOB, CAROL, DAVE, ADMIN, STRANGER);
  private static final ReleaseSpec OTHER_COMMIT =
      new ReleaseSpec(
          SPEC.service(),
          SPEC.tag(),
          SPEC.initiator(),
          SPEC.githubRunId(),
          SPEC.githubRunLink(),
          SPEC.ref(),
          SPEC.repository(),
          "0000000000000000000000000000000000000000");

  private final Set<ReleaseStatus> statusesReached = EnumSet.noneOf(ReleaseStatus.class);
  private final Set<Decision.Refusal> refusalsSeen = EnumSet.noneOf(Decision.Refusal.class);
  private int quorumRuns;

  @Test
  void givenRandomCommandSequences_thenEveryInvariantHolds() {
    long base = Long.getLong("rmm.seed", new Random().nextLong());
    for (int i = 0; i < TRIES; i++) {
      new Run(base + i).check();
    }

    // The generator must reach every corner, or the invariants above prove little.
    assertThat(statusesReached).containsExactlyInAnyOrder(ReleaseStatus.values());
    assertThat(refusalsSeen).containsExactlyInAnyOrder(Decision.Refusal.values());
    assertThat(quorumRuns).isGreaterThan(TRIES / 10);
  }

  /** One random sequence of commands against one release. */
  private final class Run {
    private final long seed;
    private final Random random;
    private final ApprovalPolicy policy;
    private final List<Object> history = new ArrayList<>();
    private final List<ReleaseEvent> log = new ArrayList<>();
    private final List<Long> granted = new ArrayList<>();
    private ReleaseState state = ReleaseState.none(ID);
    private boolean quorumReached;
    private boolean rejected;

    Run(long seed) {
      this.seed = seed;
      this.random = new Random(seed);
      List<Approver> approvers = new ArrayList<>(CANDIDATES);
      Collections.shuffle(approvers, random);
      approvers = approvers.subList(0, 1 + random.nextInt(approvers.size()));
      List<Long> admins = random.nextBoolean() ? List.of(ADMIN) : List.of(ADMIN, BOB);
      this.policy =
          new ApprovalPolicy(
              approvers, 1 + random.nextInt(approvers.size()), random.nextBoolean(), admins);
    }

    void check() {
      int length = random.nextInt(MAX_COMMANDS + 1);
      for (int step = 0; step < length; step++) {
        ReleaseCommand command = nextCommand(step);
        history.add(command);
        try {
          Decision decision = decide(command, state, Releases.TARGETS);
          history.add(decision);
          checkDecision(command, state, decision);
        } catch (AssertionError | RuntimeException e) {
          throw new AssertionError(
              "seed "
                  + seed
                  + " (rerun with -Drmm.seed="
                  + seed
                  + "), "
                  + policy
                  + ", commands and decisions:\n  "
                  + history.stream().map(String::valueOf).collect(Collectors.joining("\n  ")),
              e);
        }
      }
      assertThat(evolveAll(ReleaseState.none(ID), log))
          .as("(d) replaying the log from nothing gives the same state, seed %d", seed)
          .isEqualTo(state);
      quorumRuns += quorumReached ? 1 : 0;
    }

    private void checkDecision(ReleaseCommand command, ReleaseState before, Decision decision) {
      List<ReleaseEvent> events = decision.events();
      assertThat(decide(command, before, Releases.TARGETS))
          .as("decide is deterministic")
          .isEqualTo(decision);
      if (decision instanceof Refused refused) {
        refusalsSeen.add(refused.reason());
        assertThat(events).as("(f) refusals carry only an audit record").hasSizeLessThan(2);
        assertThat(events).allMatch(ActionRefused.class::isInstance);
      } else {
        assertThat(events).noneMatch(ActionRefused.class::isInstance);
      }
      for (int i = 0; i < events.size(); i++) {
        ReleaseEvent event = events.get(i);
        ReleaseState next = evolve(state, event);
        checkStatusChange(state, next, event);
        checkApprovals(event, i == 0 ? null : events.get(i - 1));
        log.add(event);
        state = next;
      }
      if (state.exists()) {
        statusesReached.add(state.status());
      }
      assertThat(quorumReached)
          .as("(b) the quorum is reached exactly when enough distinct approvals are counted")
          .isEqualTo(granted.size() == policy.quorum());
      assertThat(state.version()).as("(e) one version per event").isEqualTo(log.size());
    }

    private void checkStatusChange(ReleaseState before, ReleaseState after, ReleaseEvent event) {
      if (before.status() == null) {
        assertThat(event).isInstanceOf(ReleaseCreated.class);
        assertThat(after.status()).isEqualTo(ReleaseStatus.INITIATED);
      } else if (after.status() != before.status()) {
        assertThat(before.status().canMoveTo(after.status()))
            .as("(a) %s -> %s by %s", before.status(), after.status(), event)
            .isTrue();
      }
    }

    private void checkApprovals(ReleaseEvent event, ReleaseEvent previous) {
      if (event instanceof ReleaseRejected) {
        rejected = true;
      } else if (event instanceof ApprovalGranted grant) {
        assertThat(rejected).as("(c) no approval after a rejection").isFalse();
        assertThat(granted).as("(b) distinct approvers").doesNotContain(grant.approverId());
        Approver approver = policy.approver(grant.approverId()).orElseThrow();
        boolean initiator = "alice-gh".equalsIgnoreCase(approver.githubLogin());
        assertThat(initiator && !policy.initiatorMayApprove()).as("initiator approved").isFalse();
        granted.add(grant.approverId());
        assertThat(grant.approvals()).isEqualTo(granted.size());
      } else if (event instanceof ApprovalsVoided voided) {
        // a moved tag (here: a create of the same run with another commit) before the quorum
        assertThat(quorumReached).as("(b) no approvals voided after the quorum").isFalse();
        assertThat(voided.approverIds()).isEqualTo(granted);
        granted.clear();
      } else if (event instanceof ApprovalQuorumReached quorum) {
        assertThat(quorumReached).as("(b) at most one quorum").isFalse();
        assertThat(previous).isInstanceOf(ApprovalGranted.class);
        assertThat(quorum.approverIds()).isEqualTo(granted);
        quorumReached = true;
      }
    }

    private ReleaseCommand nextCommand(int step) {
      if (step == 0 && random.nextInt(10) > 0) {
        return new CreateRelease(SPEC, policy, PIPELINE);
      }
      int dice = random.nextInt(40);
      if (dice < 2) {
        return new CreateRelease(random.nextBoolean() ? SPEC : OTHER_COMMIT, policy, PIPELINE);
      } else if (dice < 18) {
        return new ReportStep(ID, someStatus(), "step", PIPELINE);
      } else if (dice < 30) {
        long user = someone();
        return new Approve(ID, user, seenVersion(), telegram(user));
      } else if (dice < 33) {
        long user = someone();
        String reason = oneOf(null, " ", "login page is broken");
        return new Reject(ID, user, reason, seenVersion(), telegram(user));
      } else if (dice < 39) {
        long user = someone();
        String tag = oneOf(null, SPEC.tag(), "v1.2.2", "v1.2.0");
        return new RequestRollback(ID, user, tag, seenVersion(), telegram(user));
      }
      Actor actor = random.nextBoolean() ? PIPELINE : telegram(someone());
      return new CancelRelease(ID, "superseded", actor);
    }

    /**
     * Mostly a step the pipeline may report now, preferring those that keep the release going so
     * that runs get far; sometimes any status at all.
     */
    private ReleaseStatus someStatus() {
      if (state.exists() && random.nextInt(10) < 8) {
        List<ReleaseStatus> next = new ArrayList<>(ReleaseDecider.reportableNext(state.status()));
        List<ReleaseStatus> onward =
            next.stream().filter(s -> s.outcome() != Outcome.FAILED).toList();
        if (!onward.isEmpty() && random.nextInt(10) < 8) {
          return onward.get(random.nextInt(onward.size()));
        } else if (!next.isEmpty()) {
          return next.get(random.nextInt(next.size()));
        }
      }
      ReleaseStatus[] all = ReleaseStatus.values();
      return all[random.nextInt(all.length)];
    }

    private long someone() {
      return PEOPLE.get(random.nextInt(PEOPLE.size()));
    }

    /** Null, a version since the last status change (a fresh card), or any version at all. */
    private Long seenVersion() {
      int dice = random.nextInt(10);
      if (dice < 2) {
        return null;
      } else if (dice < 7) {
        long fresh = state.version() - state.statusVersion();
        return state.statusVersion() + (long) random.nextInt((int) fresh + 1);
      }
      return (long) random.nextInt((int) state.version() + 2);
    }

    @SafeVarargs
    private <T> T oneOf(T... choices) {
      return choices[random.nextInt(choices.length)];
    }
  }
}
