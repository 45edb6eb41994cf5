package dev.rmm.projector;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.RollbackTargets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.Tuple;

/**
 * Valid event sequences of one release, as the writer makes them: commands built from arbitrary
 * strings in every text field go through {@link ReleaseDecider}, and what it decides (accepted
 * events and the audit records of refusals) is the release's history. The strings come from jqwik's
 * generators: any UTF-16 string (lone surrogates included), strings made of the characters that
 * broke readers before (NUL, other controls, bidi controls, backslash, tab, line breaks), and a few
 * long ones. Reproducible from a seed.
 */
final class ArbitraryReleases {

  private static final Arbitrary<String> TEXT =
      Arbitraries.frequencyOf(
          Tuple.of(4, Arbitraries.strings().all().ofMaxLength(30)),
          Tuple.of(
              4,
              Arbitraries.strings()
                  .withChars(
                      "\u0000\u0001\u001B\u007F\u0085\u200E\u202A\u202E\u2066\u2069\uD800\uDC00"
                          + "\uFFFD\\\t\n\r.\"N a")
                  .ofMaxLength(12)),
          Tuple.of(2, Arbitraries.of("v1\u0000.0", "\n\\.\n", "\\N", "", " ", "\uD83D\uDE00")),
          Tuple.of(1, Arbitraries.strings().all().ofMinLength(3_000).ofMaxLength(6_000)));

  private final Random random;
  private final RandomGenerator<String> text = TEXT.generator(1000);

  ArbitraryReleases(long seed) {
    this.random = new Random(seed);
  }

  /** An arbitrary string, as a client or a forged write may put in any text field. */
  String text() {
    return text.next(random).value();
  }

  /** What the decider decided for one release: its history and its state after it. */
  record History(String releaseId, List<ReleaseEvent> events, ReleaseState state) {}

  /** One release created and then driven by 5 to 30 arbitrary commands. */
  History release() {
    int steps = 5 + random.nextInt(26);
    ReleaseSpec spec =
        new ReleaseSpec(text(), text(), text(), text(), text(), text(), text(), text());
    List<ApprovalPolicy.Approver> approvers = new ArrayList<>();
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      approvers.add(
          new ApprovalPolicy.Approver(1001 + i, text(), random.nextBoolean() ? text() : null));
    }
    ApprovalPolicy policy =
        new ApprovalPolicy(
            approvers, 1 + random.nextInt(n), random.nextBoolean(), List.of(1001L, 1002L));
    ReleaseState state = ReleaseState.none(spec.releaseId());
    List<ReleaseEvent> events = new ArrayList<>();
    state = decide(new ReleaseCommand.CreateRelease(spec, policy, actor()), state, events);
    for (int i = 0; i < steps; i++) {
      state = decide(command(state), state, events);
    }
    return new History(spec.releaseId(), events, state);
  }

  private ReleaseState decide(ReleaseCommand c, ReleaseState state, List<ReleaseEvent> events) {
    // as before the text rule: the log may hold such events, and the projector must take them
    // and with whatever target a rollback names allowed: the log holds rollbacks decided before
    // targets were checked, and the projector must take those as well
    RollbackTargets anyTarget =
        c instanceof ReleaseCommand.RequestRollback r && r.targetTag() != null
            ? new RollbackTargets(List.of(r.targetTag()), null)
            : null;
    Decision d = ReleaseDecider.decideWithoutTextRule(c, state, anyTarget);
    List<ReleaseEvent> decided =
        d instanceof Decision.Accepted a ? a.events() : ((Decision.Refused) d).events();
    events.addAll(decided);
    return ReleaseDecider.evolveAll(state, decided);
  }

  private ReleaseCommand command(ReleaseState s) {
    String id = s.releaseId();
    long user = 1001 + random.nextInt(4);
    switch (random.nextInt(12)) {
      case 0, 1, 2, 3:
        List<ReleaseStatus> next = new ArrayList<>(ReleaseDecider.reportableNext(s.status()));
        ReleaseStatus to =
            next.isEmpty()
                ? ReleaseStatus.values()[random.nextInt(ReleaseStatus.values().length)]
                : next.get(random.nextInt(next.size()));
        return new ReleaseCommand.ReportStep(id, to, text(), actor());
      case 4:
        return new ReleaseCommand.Approve(id, user, null, actor());
      case 5:
        return new ReleaseCommand.Reject(id, user, text(), null, actor());
      case 6:
        return new ReleaseCommand.RequestRollback(id, user, text(), null, actor());
      case 7:
        if (random.nextInt(3) == 0) {
          // break-glass: 1001 and 1002 are admins, so requests, refusals and confirmations occur
          return random.nextBoolean()
              ? new ReleaseCommand.ForceApprove(id, user, text(), null, actor())
              : new ReleaseCommand.ConfirmBreakGlass(id, user, null, actor());
        }
        return new ReleaseCommand.CancelRelease(id, text(), actor());
      case 8:
        if (s.dispatch() != null && s.dispatch().failed() && random.nextBoolean()) {
          return new ReleaseCommand.RetryDispatch(id, user, null, actor());
        }
        return s.dispatch() == null
            ? new ReleaseCommand.StartDispatch(id, text(), text(), text(), text(), actor())
            : new ReleaseCommand.RecordDispatch(
                id,
                s.dispatch().id(),
                random.nextBoolean(),
                200 + random.nextInt(400),
                text(),
                1 + random.nextInt(3),
                actor());
      case 9:
        return s.runbook() == null
            ? new ReleaseCommand.StartRunbook(id, text(), text(), actor())
            : new ReleaseCommand.RecordRunbookStep(
                id,
                s.runbook().runId(),
                text(),
                text(),
                random.nextInt(3),
                random.nextInt(10_000),
                text(),
                random.nextBoolean(),
                actor());
      default:
        return new ReleaseCommand.FinishRunbook(
            id,
            s.runbook() == null ? text() : s.runbook().runId(),
            random.nextBoolean(),
            text(),
            text(),
            actor());
    }
  }

  /** An arbitrary actor: any kind, arbitrary id and name. */
  Actor actor() {
    Actor.Kind[] kinds = Actor.Kind.values();
    return new Actor(kinds[random.nextInt(kinds.length)], text(), text());
  }
}
