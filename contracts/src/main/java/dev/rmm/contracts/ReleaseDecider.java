package dev.rmm.contracts;

import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.Decision.Accepted;
import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.Approve;
import dev.rmm.contracts.ReleaseCommand.CancelRelease;
import dev.rmm.contracts.ReleaseCommand.ConfirmBreakGlass;
import dev.rmm.contracts.ReleaseCommand.CreateRelease;
import dev.rmm.contracts.ReleaseCommand.FinishRunbook;
import dev.rmm.contracts.ReleaseCommand.ForceApprove;
import dev.rmm.contracts.ReleaseCommand.HoldDispatch;
import dev.rmm.contracts.ReleaseCommand.RecordDispatch;
import dev.rmm.contracts.ReleaseCommand.RecordRunbookStep;
import dev.rmm.contracts.ReleaseCommand.Reject;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseCommand.RequestRollback;
import dev.rmm.contracts.ReleaseCommand.RetryDispatch;
import dev.rmm.contracts.ReleaseCommand.StartDispatch;
import dev.rmm.contracts.ReleaseCommand.StartRunbook;
import dev.rmm.contracts.ReleaseCommand.SupersedeRelease;
import dev.rmm.contracts.ReleaseEvent.ActionRefused;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.ApprovalsVoided;
import dev.rmm.contracts.ReleaseEvent.BreakGlassConfirmed;
import dev.rmm.contracts.ReleaseEvent.BreakGlassExpired;
import dev.rmm.contracts.ReleaseEvent.BreakGlassRequested;
import dev.rmm.contracts.ReleaseEvent.DispatchFailed;
import dev.rmm.contracts.ReleaseEvent.DispatchHeld;
import dev.rmm.contracts.ReleaseEvent.DispatchRetryRequested;
import dev.rmm.contracts.ReleaseEvent.DispatchStarted;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.ReleaseEvent.ReleaseCancelled;
import dev.rmm.contracts.ReleaseEvent.ReleaseCreated;
import dev.rmm.contracts.ReleaseEvent.ReleaseRejected;
import dev.rmm.contracts.ReleaseEvent.ReleaseSuperseded;
import dev.rmm.contracts.ReleaseEvent.RollbackRequested;
import dev.rmm.contracts.ReleaseEvent.RunbookFinished;
import dev.rmm.contracts.ReleaseEvent.RunbookStarted;
import dev.rmm.contracts.ReleaseEvent.RunbookStep;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import dev.rmm.contracts.ReleaseEvent.WorkflowDispatched;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The release state machine as two pure functions: {@code decide(command, state) -> events} and
 * {@code evolve(state, event) -> state}. No I/O, no clock, no framework: everything it needs is in
 * the command and the state. Time comes in as data: the time of the decision (the writer's, which
 * the events it appends carry as their {@code occurredAt}) and the times of the events folded into
 * the state, so that an approval's expiry is judged the same way on every replay.
 */
public final class ReleaseDecider {

  /**
   * The end of the refusal's detail when the initiator of a release tries to approve it (a client
   * such as the gateway tells this refusal apart from "not an approver" to word it in the user's
   * language).
   */
  public static final String INITIATOR_MAY_NOT_APPROVE =
      " started this release and may not approve it";

  /** The longest rejection reason or step detail kept in an event. */
  public static final int MAX_TEXT = 1000;

  private ReleaseDecider() {}

  /**
   * Decides without knowing the release's service history: a rollback request is refused (its
   * target cannot be checked). Every other command needs nothing more.
   */
  public static Decision decide(ReleaseCommand command, ReleaseState state) {
    return decide(command, state, null);
  }

  /**
   * Decides a command.
   *
   * @param targets what the service's history allows a rollback of this release to, looked up by
   *     the receiver of a {@link RequestRollback} (never taken from the command); null when not
   *     looked up, and then a rollback is refused
   */
  public static Decision decide(
      ReleaseCommand command, ReleaseState state, RollbackTargets targets) {
    return decide(command, state, targets, null);
  }

  /**
   * Decides a command under the policy in force.
   *
   * @param policy the service's policy now (release-api's policy log), which decides who may
   *     approve, reject, cancel and roll back, and how many approvals make the quorum; the events
   *     it decides name its version. Null: the policy recorded when the release was created
   *     decides, and no version is named (how every decision was made before policies were
   *     versioned).
   */
  public static Decision decide(
      ReleaseCommand command, ReleaseState state, RollbackTargets targets, PolicyInForce policy) {
    return decide(command, state, targets, policy, null);
  }

  /**
   * Decides a command at a moment.
   *
   * @param now when the decision is made (the time the appended events will carry); approvals older
   *     than the policy's expiry at that moment no longer count toward the quorum. Null: no
   *     approval expires (how every decision was made before approvals expired).
   */
  public static Decision decide(
      ReleaseCommand command,
      ReleaseState state,
      RollbackTargets targets,
      PolicyInForce policy,
      Instant now) {
    Optional<String> badText = CommandText.problem(command);
    if (badText.isPresent()) {
      return new Refused(Refusal.INVALID, badText.get(), List.of());
    }
    return decideWithoutTextRule(command, state, targets, policy, now);
  }

  /**
   * The decision without the text rule ({@link TextRules}): what the decider decided before that
   * rule existed. Events of this shape (NUL, controls, bidi in any text) can be in the log, so
   * every reader must still handle them; the readers' property tests make their histories with
   * this.
   */
  public static Decision decideWithoutTextRule(ReleaseCommand command, ReleaseState state) {
    return decideWithoutTextRule(command, state, null);
  }

  /** {@link #decideWithoutTextRule(ReleaseCommand, ReleaseState)} with the rollback targets. */
  public static Decision decideWithoutTextRule(
      ReleaseCommand command, ReleaseState state, RollbackTargets targets) {
    return decideWithoutTextRule(command, state, targets, null, null);
  }

  private static Decision decideWithoutTextRule(
      ReleaseCommand command,
      ReleaseState state,
      RollbackTargets targets,
      PolicyInForce policy,
      Instant now) {
    // Java 17 has no pattern switch, so nothing here is checked by the compiler: a command type
    // missing from this chain falls through to the throw below. PermittedSubclassesTest decides
    // every permitted subclass of ReleaseCommand, so a type added without a branch fails the build.
    if (command instanceof CreateRelease c) {
      return create(c, state);
    } else if (command instanceof ReportStep c) {
      return reportStep(c, state);
    } else if (command instanceof Approve c) {
      return approve(c, state, Rules.of(state, policy), now);
    } else if (command instanceof Reject c) {
      return reject(c, state, Rules.of(state, policy));
    } else if (command instanceof RequestRollback c) {
      return requestRollback(c, state, targets, Rules.of(state, policy));
    } else if (command instanceof CancelRelease c) {
      return cancel(c, state, Rules.of(state, policy));
    } else if (command instanceof StartDispatch c) {
      return startDispatch(c, state);
    } else if (command instanceof RecordDispatch c) {
      return recordDispatch(c, state);
    } else if (command instanceof StartRunbook c) {
      return startRunbook(c, state);
    } else if (command instanceof RecordRunbookStep c) {
      return recordRunbookStep(c, state);
    } else if (command instanceof FinishRunbook c) {
      return finishRunbook(c, state);
    } else if (command instanceof SupersedeRelease c) {
      return supersede(c, state);
    } else if (command instanceof RetryDispatch c) {
      return retryDispatch(c, state, Rules.of(state, policy));
    } else if (command instanceof ForceApprove c) {
      Rules rules = Rules.of(state, policy);
      return BreakGlassRules.force(c, state, rules.policy(), rules.version(), now);
    } else if (command instanceof ConfirmBreakGlass c) {
      Rules rules = Rules.of(state, policy);
      return BreakGlassRules.confirm(c, state, rules.policy(), rules.version(), now);
    } else if (command instanceof HoldDispatch c) {
      return holdDispatch(c, state);
    } else if (command instanceof ReleaseCommand.ExpireBreakGlass c) {
      return BreakGlassRules.expire(c, state, now);
    }
    throw new IllegalArgumentException("unknown command " + command);
  }

  /**
   * Applies one event. Like {@link #decide}, an {@code instanceof} chain the compiler does not
   * check (Java 17): PermittedSubclassesTest evolves every permitted subclass of ReleaseEvent.
   */
  public static ReleaseState evolve(ReleaseState state, ReleaseEvent event) {
    return evolve(state, event, null);
  }

  /**
   * Applies one event with its envelope: an approval keeps the time it was given, by which its
   * expiry is judged.
   */
  public static ReleaseState evolve(ReleaseState state, EventEnvelope envelope) {
    return evolve(state, envelope.data(), envelope.occurredAt());
  }

  private static ReleaseState evolve(ReleaseState state, ReleaseEvent event, Instant at) {
    if (event instanceof ReleaseCreated e) {
      return state.created(e.spec(), e.policy());
    } else if (event instanceof StatusChanged e) {
      return state.movedTo(e.to());
    } else if (event instanceof ApprovalGranted e) {
      return state.approvedBy(
          new ReleaseState.Approval(e.approverId(), e.approverName(), e.commitSha(), at));
    } else if (event instanceof ApprovalsVoided e) {
      return state.approvalsVoided(e.toCommit());
    } else if (event instanceof ApprovalQuorumReached) {
      return state.movedTo(ReleaseStatus.MANUAL_TEST_PASSED);
    } else if (event instanceof ReleaseRejected e) {
      return state.rejected(e.reason());
    } else if (event instanceof RollbackRequested e) {
      return state.rollbackRequested(e.requestedBy(), e.targetTag());
    } else if (event instanceof ReleaseCancelled || event instanceof ReleaseSuperseded) {
      return state.movedTo(ReleaseStatus.CANCELLED);
    } else if (event instanceof ActionRefused) {
      return state.unchanged();
    } else if (event instanceof PolicyChanged) {
      // a policy event belongs to the policy topic's own chain; on a release it changes nothing
      return state.unchanged();
    } else if (event instanceof DispatchStarted e) {
      return state.withDispatch(
          new ReleaseState.Dispatch(
              e.dispatchId(), e.repository(), e.workflow(), e.ref(), null, 0, null, 0));
    } else if (event instanceof WorkflowDispatched e) {
      return state.withDispatch(
          state.dispatch().ended(ReleaseState.Dispatch.DISPATCHED, e.httpStatus(), null));
    } else if (event instanceof DispatchFailed e) {
      return state.withDispatch(
          state.dispatch().ended(ReleaseState.Dispatch.FAILED, e.httpStatus(), e.detail()));
    } else if (event instanceof DispatchRetryRequested) {
      // the decider appends it only over a failed dispatch; anything else changes nothing
      return state.dispatch() == null
          ? state.unchanged()
          : state.withDispatch(state.dispatch().reopened());
    } else if (event instanceof BreakGlassRequested e) {
      return state.withBreakGlass(
          new ReleaseState.BreakGlass(
              e.requestedBy(),
              e.requestedByName(),
              e.reason(),
              e.commitSha(),
              e.expiresAt(),
              null,
              null,
              false));
    } else if (event instanceof BreakGlassConfirmed e) {
      ReleaseState.BreakGlass b = state.breakGlass();
      return state.withBreakGlass(
          b == null
              ? new ReleaseState.BreakGlass(
                  e.requestedBy(),
                  e.requestedByName(),
                  e.reason(),
                  e.commitSha(),
                  null,
                  e.confirmedBy(),
                  e.confirmedByName(),
                  false)
              : b.confirmedBy(e.confirmedBy(), e.confirmedByName()));
    } else if (event instanceof BreakGlassExpired) {
      return state.breakGlass() == null
          ? state.unchanged()
          : state.withBreakGlass(state.breakGlass().lapsed());
    } else if (event instanceof DispatchHeld) {
      // the orchestrator remembers the freeze it announced; the release waits as it was
      return state.unchanged();
    } else if (event instanceof RunbookStarted e) {
      return state.withRunbook(
          new ReleaseState.Runbook(e.runId(), e.host(), e.targetTag(), 0, false));
    } else if (event instanceof RunbookStep) {
      return state.withRunbook(state.runbook().stepped());
    } else if (event instanceof RunbookFinished) {
      return state.withRunbook(state.runbook().ended());
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  /** Folds events onto a state. */
  public static ReleaseState evolveAll(ReleaseState state, List<? extends ReleaseEvent> events) {
    ReleaseState s = state;
    for (ReleaseEvent e : events) {
      s = evolve(s, e);
    }
    return s;
  }

  /**
   * The statuses a pipeline may report next from {@code current}: the state machine's next steps
   * minus those only rmm decides (quorum, rejection, cancellation) and the manual rollback of a
   * deployed release, which only an admin may request.
   */
  public static Set<ReleaseStatus> reportableNext(ReleaseStatus current) {
    return current.next().stream()
        .filter(s -> !s.isDecidedByRmm())
        .filter(s -> !(current == ReleaseStatus.DEPLOYED && s == ReleaseStatus.PRODUCTION_ROLLBACK))
        .collect(Collectors.toCollection(() -> java.util.EnumSet.noneOf(ReleaseStatus.class)));
  }

  private static Decision create(CreateRelease c, ReleaseState state) {
    if (state.exists()) {
      if (state.spec().equals(c.spec())) {
        return new Accepted(List.of());
      }
      if (state.spec().equals(c.spec().withCommitSha(state.spec().commitSha()))) {
        // the same run of the same tag with another commit: a re-run after the tag was moved
        return sameCommit(c.spec().commitSha(), state.commitSha())
            ? new Accepted(List.of()) // already reported
            : tagMoved(state, c.spec().commitSha(), "the release was created again", List.of());
      }
      return new Refused(
          Refusal.CONFLICT,
          "release "
              + state.releaseId()
              + " (service "
              + c.spec().service()
              + ", tag "
              + c.spec().tag()
              + ", run "
              + c.spec().githubRunId()
              + ") already exists with different details",
          List.of());
    }
    return new Accepted(List.of(new ReleaseCreated(c.spec(), c.policy())));
  }

  /**
   * The pipeline reported {@code commit} for the release's tag, which points elsewhere than the
   * commit the release was approved for (or is being approved for): the tag was moved. Before the
   * quorum the approvals are void, and {@code then} (a reported step) follows. Once the quorum was
   * reached the orchestrator may already be deploying the approved commit, and nobody approved the
   * new one: the report is refused (409) and the refusal recorded, never applied to the release.
   */
  private static Decision tagMoved(
      ReleaseState state, String commit, String how, List<ReleaseEvent> then) {
    String tag = state.spec().tag();
    if (!approvalsOpen(state.status())) {
      return refuse(
          "step",
          Refusal.CONFLICT,
          "tag "
              + tag
              + " of "
              + state.spec().service()
              + " moved from commit "
              + state.commitSha()
              + " to "
              + commit
              + " but release "
              + state.releaseId()
              + " is "
              + state.status()
              + ": "
              + (state.status().ordinal() >= ReleaseStatus.MANUAL_TEST_PASSED.ordinal()
                      && state.status().outcome() == Outcome.ACTIVE
                  ? "its approvals were for "
                      + state.commitSha()
                      + " and its production deploy may have started; push a new tag for "
                      + commit
                  : "it is final; push a new tag for " + commit));
    }
    List<Long> voided = state.approvals().stream().map(ReleaseState.Approval::approverId).toList();
    List<ReleaseEvent> events = new ArrayList<>();
    events.add(
        new ApprovalsVoided(
            tag,
            state.commitSha(),
            commit,
            voided,
            how
                + " with commit "
                + commit
                + " for tag "
                + tag
                + ", which was "
                + state.commitSha()
                + (voided.isEmpty()
                    ? ""
                    : "; the "
                        + voided.size()
                        + " approval(s) given for the old commit are void")));
    events.addAll(then);
    return new Accepted(events);
  }

  /** Statuses before the approval quorum, in which a moved tag voids the approvals. */
  private static boolean approvalsOpen(ReleaseStatus status) {
    return switch (status) {
      case INITIATED, STAGE_BUILDING, STAGE_TEST_ROLLBACK, MANUAL_TESTING -> true;
      default -> false;
    };
  }

  private static Decision reportStep(ReportStep c, ReleaseState state) {
    if (!state.exists()) {
      return notFound(state);
    }
    boolean moved = c.commitSha() != null && !sameCommit(c.commitSha(), state.commitSha());
    if (state.status() == c.status()) {
      // a retried report: already there (unless it reports that the tag moved)
      return moved
          ? tagMoved(state, c.commitSha().toLowerCase(java.util.Locale.ROOT), how(c), List.of())
          : new Accepted(List.of());
    }
    if (!reportableNext(state.status()).contains(c.status())) {
      if (moved && isRestage(state.status(), c.status())) {
        // the team moved the tag and re-ran the pipeline: the stage phase runs again for the new
        // commit; the approvals given for the old one are void (tagMoved), never carried over
        return tagMoved(
            state,
            c.commitSha().toLowerCase(java.util.Locale.ROOT),
            "the pipeline re-ran the stage",
            List.of(new StatusChanged(state.status(), c.status(), clip(c.detail()))));
      }
      return new Refused(
          Refusal.ILLEGAL_TRANSITION,
          "release "
              + state.releaseId()
              + " is "
              + state.status()
              + "; it cannot move to "
              + c.status()
              + (isRestage(state.status(), c.status())
                  ? " (a stage re-run is accepted only for a moved tag: report the new commit as"
                      + " commit_sha)"
                  : why(c.status()))
              + ". "
              + allowedSteps(state.status()),
          List.of());
    }
    StatusChanged step = new StatusChanged(state.status(), c.status(), clip(c.detail()));
    return moved
        ? tagMoved(state, c.commitSha().toLowerCase(java.util.Locale.ROOT), how(c), List.of(step))
        : new Accepted(List.of(step));
  }

  /**
   * Statuses from which the pipeline may run the stage phase again ({@code stage_building}) after
   * the tag moved to another commit: after the stage build and before the approval quorum. Not from
   * {@code manual_test_passed} on (the orchestrator may be deploying the approved commit) nor from
   * a final status such as {@code manual_test_failed} (its outcome is recorded; a fix gets a new
   * tag). From {@code stage_building} itself the report is a repeat that voids the approvals.
   */
  static final Set<ReleaseStatus> RESTAGE_FROM =
      java.util.Collections.unmodifiableSet(
          java.util.EnumSet.of(ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING));

  /** Whether reporting {@code to} from {@code from} runs the stage phase again. */
  private static boolean isRestage(ReleaseStatus from, ReleaseStatus to) {
    return to == ReleaseStatus.STAGE_BUILDING && RESTAGE_FROM.contains(from);
  }

  /**
   * Whether two reports name the same commit: equal, or one the abbreviation of the other (a
   * pipeline may report {@code git rev-parse --short}).
   */
  static boolean sameCommit(String reported, String known) {
    if (known == null) {
      return true; // nothing to compare with
    }
    String a = reported.toLowerCase(java.util.Locale.ROOT);
    String b = known.toLowerCase(java.util.Locale.ROOT);
    return a.startsWith(b) || b.startsWith(a);
  }

  private static String how(ReportStep c) {
    return "the pipeline reported " + c.status().wire();
  }

  /** The steps a pipeline may report now, or why there are none. */
  static String allowedSteps(ReleaseStatus current) {
    Set<ReleaseStatus> next = reportableNext(current);
    if (!next.isEmpty()) {
      return "Allowed next steps: " + next;
    }
    if (current == ReleaseStatus.MANUAL_TESTING) {
      return "No step can be reported now: the release waits for its approvals or a rejection";
    }
    if (current == ReleaseStatus.DEPLOYED) {
      return "No step can be reported now: only an admin's rollback request moves a deployed"
          + " release";
    }
    return "No step can be reported: the release is final";
  }

  private static String why(ReleaseStatus target) {
    return switch (target) {
      case MANUAL_TEST_PASSED -> " (it is set when the approval quorum is reached)";
      case MANUAL_TEST_FAILED -> " (it is set when an approver rejects the release)";
      case CANCELLED -> " (use the cancel command)";
      default -> "";
    };
  }

  private static Decision approve(Approve c, ReleaseState state, Rules rules, Instant now) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (rules.policy() == null) {
      return rules.refuse("approve", Refusal.NOT_ALLOWED, noPolicy(state, rules));
    }
    ApprovalPolicy policy = rules.policy();
    Optional<Approver> approver = policy.approver(c.telegramUserId());
    if (approver.isEmpty()) {
      return rules.refuse(
          "approve",
          Refusal.NOT_ALLOWED,
          "user "
              + c.telegramUserId()
              + " is not an approver of "
              + state.spec().service()
              + rules.named());
    }
    if (!policy.initiatorMayApprove() && isInitiator(approver.get(), state.spec())) {
      return rules.refuse(
          "approve", Refusal.NOT_ALLOWED, approver.get().name() + INITIATOR_MAY_NOT_APPROVE);
    }
    if (c.actor().actsOnBehalf() && !policy.onBehalfCounts()) {
      return rules.refuse(
          "approve",
          Refusal.NOT_ALLOWED,
          c.actor().name()
              + ": an approval on behalf of "
              + approver.get().name()
              + " does not count toward the quorum of "
              + state.spec().service()
              + " (its policy does not set on_behalf_counts); "
              + approver.get().name()
              + " approves in Telegram");
    }
    // Only approvals of people who are approvers under the policy in force count: an approver
    // removed from the policy (they left the team, their account is no longer trusted) no longer
    // carries a release toward production (docs/security.md, "Policy as data in the log").
    // Nor do approvals older than the policy's expiry: the approver tested the release a day ago
    // (by default), which says little about it now; they approve again.
    List<Long> counted = countedApprovals(state, policy, now);
    if (state.hasApproved(c.telegramUserId())
        && !(state.status() == ReleaseStatus.MANUAL_TESTING
            && !counted.contains(c.telegramUserId()))) {
      // A double click, also on the approval that reached the quorum and moved the release on (an
      // expired approval of a release still in manual testing is given again, below).
      // When the approvals are complete but the quorum event is not in the log (it was void:
      // another writer's event took its place, see ChainRule), or a policy change lowered the
      // quorum to the approvals given, the repeat completes it.
      return new Accepted(
          quorumOwed(state, policy, counted)
              ? List.of(new ApprovalQuorumReached(counted, rules.version()))
              : List.of());
    }
    Optional<Refused> notNow = checkSeen("approve", c.seenVersion(), state, rules);
    if (notNow.isPresent()) {
      return notNow.get();
    }
    if (state.status() != ReleaseStatus.MANUAL_TESTING) {
      return rules.refuse(
          "approve",
          Refusal.ILLEGAL_TRANSITION,
          "release is " + state.status() + "; only a release in manual_testing can be approved");
    }
    int count = counted.size() + 1;
    List<Long> withThis = new ArrayList<>(counted);
    withThis.add(c.telegramUserId());
    List<ReleaseEvent> events = new ArrayList<>();
    events.add(
        new ApprovalGranted(
            c.telegramUserId(),
            approver.get().name(),
            count,
            policy.quorum(),
            rules.version(),
            state.spec().tag(),
            state.commitSha()));
    if (count >= policy.quorum() && rolesMet(policy, withThis)) {
      events.add(new ApprovalQuorumReached(withThis, rules.version()));
    }
    return new Accepted(events);
  }

  /**
   * The approvers whose approvals count under {@code policy} at {@code now} (they are approvers
   * under it, and their approval has not expired), in the order they approved.
   */
  private static List<Long> countedApprovals(
      ReleaseState state, ApprovalPolicy policy, Instant now) {
    List<Long> ids = new ArrayList<>();
    for (ReleaseState.Approval a : state.approvals()) {
      if (policy.approver(a.approverId()).isPresent() && !expired(a, policy, now)) {
        ids.add(a.approverId());
      }
    }
    return ids;
  }

  /**
   * Whether an approval expired at {@code now}. One without a time (folded without its envelope) or
   * decided without a time never expires.
   */
  private static boolean expired(ReleaseState.Approval a, ApprovalPolicy policy, Instant now) {
    return now != null && a.at() != null && !a.at().plus(policy.approvalExpiry()).isAfter(now);
  }

  /** Approvals that meet the quorum on a release still in manual testing: the quorum is owed. */
  private static boolean quorumOwed(ReleaseState state, ApprovalPolicy policy, List<Long> counted) {
    return state.status() == ReleaseStatus.MANUAL_TESTING
        && counted.size() >= policy.quorum()
        && rolesMet(policy, counted);
  }

  /**
   * Whether the approvals of {@code approverIds} (approvers under {@code policy}, the policy in
   * force) meet its role quorum, each approver filling one role only ({@link RoleQuorum}); true
   * when the policy names no roles. The roles are those the policy in force gives the approvers
   * now.
   */
  private static boolean rolesMet(ApprovalPolicy policy, List<Long> approverIds) {
    if (!policy.hasRoles()) {
      return true;
    }
    List<Approver> approved = new ArrayList<>();
    approverIds.forEach(id -> policy.approver(id).ifPresent(approved::add));
    return RoleQuorum.of(policy.roles(), approved).met();
  }

  private static Decision reject(Reject c, ReleaseState state, Rules rules) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (rules.policy() == null) {
      return rules.refuse("reject", Refusal.NOT_ALLOWED, noPolicy(state, rules));
    }
    ApprovalPolicy policy = rules.policy();
    Optional<Approver> approver = policy.approver(c.telegramUserId());
    if (approver.isEmpty() && !policy.isAdmin(c.telegramUserId())) {
      return rules.refuse(
          "reject",
          Refusal.NOT_ALLOWED,
          "user "
              + c.telegramUserId()
              + " is neither an approver nor an admin of "
              + state.spec().service()
              + rules.named());
    }
    if (c.reason() == null || c.reason().isBlank()) {
      return new Refused(Refusal.INVALID, "a rejection needs a reason", List.of());
    }
    Optional<Refused> notNow = checkSeen("reject", c.seenVersion(), state, rules);
    if (notNow.isPresent()) {
      return notNow.get();
    }
    if (state.status() != ReleaseStatus.MANUAL_TESTING) {
      return rules.refuse(
          "reject",
          Refusal.ILLEGAL_TRANSITION,
          "release is " + state.status() + "; only a release in manual_testing can be rejected");
    }
    Actor person = c.actor().actsOnBehalf() ? c.actor().onBehalfOf() : c.actor();
    String name = approver.map(Approver::name).orElse(person.name());
    return new Accepted(
        List.of(
            new ReleaseRejected(
                c.telegramUserId(), name, clip(c.reason().strip()), rules.version())));
  }

  private static Decision requestRollback(
      RequestRollback c, ReleaseState state, RollbackTargets targets, Rules rules) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (rules.policy() == null) {
      return rules.refuse("rollback", Refusal.NOT_ALLOWED, noPolicy(state, rules));
    }
    if (!rules.policy().isAdmin(c.telegramUserId())) {
      return rules.refuse(
          "rollback",
          Refusal.NOT_ALLOWED,
          "user "
              + c.telegramUserId()
              + " is not an admin of "
              + state.spec().service()
              + rules.named());
    }
    if (c.targetTag() == null || c.targetTag().isBlank()) {
      return new Refused(Refusal.INVALID, "a rollback needs a target tag", List.of());
    }
    if (c.targetTag().equals(state.spec().tag())) {
      return new Refused(
          Refusal.INVALID,
          "cannot roll " + state.spec().tag() + " back to itself; choose an earlier tag",
          List.of());
    }
    if (isRepeatedRollback(c, state)) {
      // A retried request whose first attempt was appended (the answer was lost, say): before the
      // card check, as the repeat carries the card version of the first attempt.
      return new Accepted(List.of());
    }
    Optional<Refused> notNow = checkSeen("rollback", c.seenVersion(), state, rules);
    if (notNow.isPresent()) {
      return notNow.get();
    }
    if (state.status() != ReleaseStatus.DEPLOYED) {
      return rules.refuse(
          "rollback",
          Refusal.ILLEGAL_TRANSITION,
          "release is " + state.status() + "; only a deployed release can be rolled back");
    }
    if (targets == null || !targets.allows(c.targetTag())) {
      // nothing appended: the admin picked from a stale or forged list, and is told the real one
      return new Refused(Refusal.TARGET_NOT_ALLOWED, notATarget(c, state, targets), List.of());
    }
    return new Accepted(
        List.of(
            new RollbackRequested(
                c.telegramUserId(), c.actor().name(), c.targetTag(), rules.version())));
  }

  /**
   * The same admin asking again for the rollback to the same tag that the release already went
   * through, or is going through: a release is rolled back at most once, so this is that request.
   */
  private static boolean isRepeatedRollback(RequestRollback c, ReleaseState state) {
    return state.rollbackRequestedBy() != null
        && state.rollbackRequestedBy() == c.telegramUserId()
        && c.targetTag().equals(state.rollbackToTag());
  }

  private static String notATarget(RequestRollback c, ReleaseState state, RollbackTargets targets) {
    String service = state.spec().service();
    if (targets == null) {
      return "the rollback targets of "
          + service
          + " were not looked up, so no rollback of "
          + state.spec().tag()
          + " can be decided";
    }
    return c.targetTag()
        + " is not a rollback target of "
        + service
        + " "
        + state.spec().tag()
        + ": allowed are "
        + (targets.allowed().isEmpty() ? "none" : String.join(", ", targets.allowed()))
        + " (tags of "
        + service
        + " deployed before it that were not rolled back and did not fail); production runs "
        + (targets.production() == null ? "no known tag" : targets.production());
  }

  private static Decision cancel(CancelRelease c, ReleaseState state, Rules rules) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (c.actor().kind() == Actor.Kind.TELEGRAM
        && (rules.policy() == null || !isAdmin(rules.policy(), c.actor().id()))) {
      return rules.refuse(
          "cancel",
          Refusal.NOT_ALLOWED,
          "user "
              + c.actor().id()
              + " is not an admin of "
              + state.spec().service()
              + rules.named());
    }
    if (state.status() == ReleaseStatus.CANCELLED) {
      return new Accepted(List.of());
    }
    if (!state.status().isCancellable()) {
      return new Refused(
          Refusal.ILLEGAL_TRANSITION,
          "release is " + state.status() + "; only a release still on its way can be cancelled",
          List.of());
    }
    return new Accepted(
        List.of(new ReleaseCancelled(state.status(), clip(c.reason()), rules.version())));
  }

  /**
   * A newer release of the service reached manual testing (the orchestrator saw it; this release
   * cannot): this one is cancelled if it has not started toward production. Once its dispatch is
   * claimed it is production's, and the orchestrator's guard (it dispatches nothing older than the
   * newest approved release of a service) decided before that claim. A repeat, also one that
   * arrives after an admin cancelled it, is accepted without events; a refusal appends nothing
   * either, so a redelivered command gets the same answer and leaves the log as it was.
   */
  private static Decision supersede(SupersedeRelease c, ReleaseState state) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (c.actor().kind() != Actor.Kind.ORCHESTRATOR) {
      return refuse("supersede", Refusal.NOT_ALLOWED, "only the orchestrator supersedes releases");
    }
    if (c.byReleaseId() == null || c.byReleaseId().isBlank() || c.byTag() == null) {
      return new Refused(
          Refusal.INVALID, "a supersede names the newer release and its tag", List.of());
    }
    if (c.byReleaseId().equals(state.releaseId())) {
      return new Refused(Refusal.INVALID, "a release cannot supersede itself", List.of());
    }
    if (state.status() == ReleaseStatus.CANCELLED) {
      return new Accepted(List.of());
    }
    if (state.dispatch() != null || !state.status().isSupersedable()) {
      return new Refused(
          Refusal.ILLEGAL_TRANSITION,
          "release "
              + state.spec().tag()
              + " is "
              + state.status()
              + (state.dispatch() != null ? " and its production dispatch was claimed" : "")
              + "; only a release that has not started toward production is superseded (by "
              + c.byTag()
              + ")",
          List.of());
    }
    return new Accepted(
        List.of(new ReleaseSuperseded(state.status(), c.byReleaseId(), clip(c.byTag()))));
  }

  /**
   * The orchestrator holds an approved release's dispatch during a freeze (issue 15 point 5): only
   * before any dispatch is claimed, while the release is {@code manual_test_passed}. Each hold is
   * appended (a policy change that moves the freeze's end makes a new one); the orchestrator sends
   * one per freeze, and its command id (release and end) makes a redelivery a repeat.
   */
  private static Decision holdDispatch(HoldDispatch c, ReleaseState state) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (c.actor().kind() != Actor.Kind.ORCHESTRATOR) {
      return refuse("dispatch", Refusal.NOT_ALLOWED, "only the orchestrator holds dispatches");
    }
    if (c.until() == null) {
      return new Refused(Refusal.INVALID, "a held dispatch names when its freeze ends", List.of());
    }
    // An admin's retry of a failed dispatch (opened again, not yet settled) is held like the first
    // dispatch: it has not been sent again, and a freeze holds what goes to production from now on.
    ReleaseState.Dispatch d = state.dispatch();
    boolean retryToSend = d != null && d.retries() > 0 && d.outcome() == null;
    if (state.status() != ReleaseStatus.MANUAL_TEST_PASSED || (d != null && !retryToSend)) {
      return new Refused(
          Refusal.ILLEGAL_TRANSITION,
          "release is "
              + state.status()
              + (d != null ? " and its dispatch was claimed" : "")
              + "; only an approved release not yet dispatched (or whose failed dispatch an admin"
              + " asked to retry) is held by a freeze",
          List.of());
    }
    return new Accepted(List.of(new DispatchHeld(c.until(), clip(c.reason()), c.policyVersion())));
  }

  /**
   * The orchestrator's claim to dispatch the production workflow: once per release, so two
   * instances or a restart never dispatch it twice. Repeating the claim with the same id is
   * accepted without events (a redelivered quorum event, a restart).
   */
  private static Decision startDispatch(StartDispatch c, ReleaseState state) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (c.actor().kind() != Actor.Kind.ORCHESTRATOR) {
      return refuse("dispatch", Refusal.NOT_ALLOWED, "only the orchestrator dispatches workflows");
    }
    if (c.dispatchId() == null || c.dispatchId().isBlank()) {
      return new Refused(Refusal.INVALID, "a dispatch needs an id", List.of());
    }
    ReleaseState.Dispatch d = state.dispatch();
    if (d != null) {
      return d.id().equals(c.dispatchId())
          ? new Accepted(List.of())
          : new Refused(
              Refusal.CONFLICT,
              "dispatch " + d.id() + " of release " + state.releaseId() + " already started",
              List.of());
    }
    if (state.status() != ReleaseStatus.MANUAL_TEST_PASSED) {
      return new Refused(
          Refusal.ILLEGAL_TRANSITION,
          "release is "
              + state.status()
              + "; only a release that passed manual testing is dispatched",
          List.of());
    }
    return new Accepted(
        List.of(new DispatchStarted(c.dispatchId(), c.repository(), c.workflow(), c.ref())));
  }

  /** How the started dispatch ended; recorded once, repeats are accepted without events. */
  private static Decision recordDispatch(RecordDispatch c, ReleaseState state) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (c.actor().kind() != Actor.Kind.ORCHESTRATOR) {
      return refuse("dispatch", Refusal.NOT_ALLOWED, "only the orchestrator dispatches workflows");
    }
    ReleaseState.Dispatch d = state.dispatch();
    if (d == null || !d.id().equals(c.dispatchId())) {
      return new Refused(
          Refusal.CONFLICT,
          "dispatch " + c.dispatchId() + " of release " + state.releaseId() + " was not started",
          List.of());
    }
    if (d.outcome() != null) {
      return new Accepted(List.of());
    }
    return new Accepted(
        List.of(
            c.dispatched()
                ? new WorkflowDispatched(c.dispatchId(), c.httpStatus(), c.attempts())
                : new DispatchFailed(
                    c.dispatchId(), c.httpStatus(), clip(c.detail()), c.attempts())));
  }

  /**
   * An admin's request to try the failed production dispatch again. Only an admin of the policy in
   * force, only while the release passed manual testing and its dispatch is recorded as failed. A
   * repeat (the same press delivered again, or a second admin pressing the same card) while the
   * retry is under way or after it succeeded is accepted without events; release-api also drops a
   * command id it has already decided.
   */
  private static Decision retryDispatch(RetryDispatch c, ReleaseState state, Rules rules) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (rules.policy() == null) {
      return rules.refuse("retry-dispatch", Refusal.NOT_ALLOWED, noPolicy(state, rules));
    }
    if (!rules.policy().isAdmin(c.telegramUserId())) {
      return rules.refuse(
          "retry-dispatch",
          Refusal.NOT_ALLOWED,
          "user "
              + c.telegramUserId()
              + " is not an admin of "
              + state.spec().service()
              + rules.named()
              + "; only admins may retry a production dispatch");
    }
    ReleaseState.Dispatch d = state.dispatch();
    if (d != null && d.retries() > 0 && !d.failed()) {
      return new Accepted(List.of()); // a retry is under way or went through: this is a repeat
    }
    Optional<Refused> notNow = checkSeen("retry-dispatch", c.seenVersion(), state, rules);
    if (notNow.isPresent()) {
      return notNow.get();
    }
    if (state.status() != ReleaseStatus.MANUAL_TEST_PASSED || d == null || !d.failed()) {
      return rules.refuse(
          "retry-dispatch",
          Refusal.ILLEGAL_TRANSITION,
          "release is "
              + state.status()
              + (d == null
                  ? " and has no production dispatch"
                  : d.failed() ? "" : " and its production dispatch did not fail")
              + "; only a failed dispatch of an approved release can be retried");
    }
    return new Accepted(
        List.of(
            new DispatchRetryRequested(
                c.telegramUserId(), c.actor().name(), d.id(), rules.version())));
  }

  /**
   * The orchestrator's claim to run the rollback runbook an admin requested: once per release, so
   * it never runs twice. The same run id again is a harmless repeat.
   */
  private static Decision startRunbook(StartRunbook c, ReleaseState state) {
    if (!state.exists()) {
      return notFound(state);
    }
    if (c.actor().kind() != Actor.Kind.ORCHESTRATOR) {
      return refuse("runbook", Refusal.NOT_ALLOWED, "only the orchestrator runs runbooks");
    }
    ReleaseState.Runbook r = state.runbook();
    if (r != null) {
      return r.runId().equals(c.runId())
          ? new Accepted(List.of())
          : new Refused(
              Refusal.CONFLICT,
              "runbook " + r.runId() + " of release " + state.releaseId() + " already started",
              List.of());
    }
    if (state.status() != ReleaseStatus.PRODUCTION_ROLLBACK || state.rollbackToTag() == null) {
      return new Refused(
          Refusal.ILLEGAL_TRANSITION,
          "release is "
              + state.status()
              + "; a runbook runs only for a rollback an admin requested",
          List.of());
    }
    return new Accepted(List.of(new RunbookStarted(c.runId(), c.host(), state.rollbackToTag())));
  }

  private static Decision recordRunbookStep(RecordRunbookStep c, ReleaseState state) {
    Optional<Refused> wrong = runbookCheck(c.runId(), c.actor(), state);
    if (wrong.isPresent()) {
      return wrong.get();
    }
    return new Accepted(
        List.of(
            new RunbookStep(
                c.runId(),
                c.step(),
                clip(c.command()),
                c.exitCode(),
                c.durationMs(),
                clip(c.outputTail()),
                c.ok())));
  }

  /** Ends the runbook once; the release becomes rollback_done or rollback_failed. */
  private static Decision finishRunbook(FinishRunbook c, ReleaseState state) {
    Optional<Refused> wrong = runbookCheck(c.runId(), c.actor(), state);
    ReleaseStatus to = c.ok() ? ReleaseStatus.ROLLBACK_DONE : ReleaseStatus.ROLLBACK_FAILED;
    String detail = clip(c.detail());
    if (wrong.isPresent()) {
      boolean repeat =
          wrong.get().reason() == Refusal.CONFLICT
              && state.runbook() != null
              && state.runbook().finished()
              && state.runbook().runId().equals(c.runId());
      if (!repeat) {
        return wrong.get();
      }
      // a repeat; when the status change of the first attempt was void (see ChainRule), it
      // completes it
      return new Accepted(
          state.status() == ReleaseStatus.PRODUCTION_ROLLBACK
              ? List.of(new StatusChanged(state.status(), to, detail))
              : List.of());
    }
    return new Accepted(
        List.of(
            new RunbookFinished(c.runId(), c.ok(), c.failedStep(), detail),
            new StatusChanged(state.status(), to, detail)));
  }

  private static Optional<Refused> runbookCheck(String runId, Actor actor, ReleaseState state) {
    if (!state.exists()) {
      return Optional.of(notFound(state));
    }
    if (actor.kind() != Actor.Kind.ORCHESTRATOR) {
      return Optional.of(
          refuse("runbook", Refusal.NOT_ALLOWED, "only the orchestrator runs runbooks"));
    }
    ReleaseState.Runbook r = state.runbook();
    if (r == null || !r.runId().equals(runId) || r.finished()) {
      return Optional.of(
          new Refused(
              Refusal.CONFLICT,
              "runbook " + runId + " of release " + state.releaseId() + " is not running",
              List.of()));
    }
    return Optional.empty();
  }

  /**
   * A user acts on what their card showed. If the status changed since that version, the action is
   * refused as stale rather than applied to a release the user has not seen. Approvals by others do
   * not make a card stale: three approvers may press at once.
   */
  private static Optional<Refused> checkSeen(
      String action, Long seen, ReleaseState state, Rules rules) {
    if (seen == null) {
      return Optional.empty();
    }
    if (seen > state.version() || seen < 1) {
      return Optional.of(
          new Refused(
              Refusal.INVALID,
              "version " + seen + " of release " + state.releaseId() + " does not exist",
              List.of()));
    }
    if (seen < state.statusVersion()) {
      Refused r =
          rules.refuse(
              action,
              Refusal.STALE,
              "the card showed version "
                  + seen
                  + " but the release has since become "
                  + state.status()
                  + " (version "
                  + state.version()
                  + ")");
      return Optional.of(r);
    }
    return Optional.empty();
  }

  /** A Telegram actor's id is their numeric user id; anything else is nobody. */
  private static boolean isAdmin(ApprovalPolicy policy, String telegramId) {
    try {
      return policy.isAdmin(Long.parseLong(telegramId));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Whether the approver started the release: one of their GitHub logins (the approver's {@code
   * github_login}, or one the policy file's {@code people} directory gives them) is the login that
   * started it, the authenticated one (the OIDC {@code actor} claim) when the API knew it, else the
   * reported initiator ({@link ReleaseSpec#startedBy}).
   */
  private static boolean isInitiator(Approver approver, ReleaseSpec spec) {
    return approver.hasLogin(spec.startedBy());
  }

  private static Refused refuse(String action, Refusal reason, String detail) {
    return Rules.RECORDED.refuse(action, reason, detail);
  }

  private static String noPolicy(ReleaseState state, Rules rules) {
    return "no approval policy is in force for "
        + state.spec().service()
        + rules.named()
        + ": nobody may approve, reject or roll back its releases";
  }

  /**
   * The rules a user's action is decided by: the policy in force and its version, or (without a
   * policy log) the policy recorded at the release's creation and no version.
   */
  private record Rules(ApprovalPolicy policy, Long version) {

    static final Rules RECORDED = new Rules(null, null);

    static Rules of(ReleaseState state, PolicyInForce inForce) {
      return inForce == null
          ? new Rules(state.policy(), null)
          : new Rules(inForce.approval(), inForce.version());
    }

    /** " (policy version N)" for a refusal's detail, or nothing without a version. */
    String named() {
      return version == null ? "" : " (policy version " + version + ")";
    }

    Refused refuse(String action, Refusal reason, String detail) {
      return new Refused(
          reason,
          detail,
          List.of(
              new ActionRefused(
                  action, reason.name().toLowerCase(java.util.Locale.ROOT), detail, version)));
    }
  }

  private static Refused notFound(ReleaseState state) {
    return new Refused(Refusal.NOT_FOUND, "release " + state.releaseId() + " not found", List.of());
  }

  private static String clip(String text) {
    if (text == null) {
      return null;
    }
    if (text.length() <= MAX_TEXT) {
      return text;
    }
    // never half of a surrogate pair: a lone surrogate has no UTF-8 form
    int end = Character.isHighSurrogate(text.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT;
    return text.substring(0, end);
  }
}
