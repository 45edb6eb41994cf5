package dev.rmm.orchestrator.freeze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.FreezeWindow;
import dev.rmm.contracts.PolicyHistory;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseState;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator's freeze decision with a fixed clock: held while a window of the policy in force
 * covers the release's service, recorded once per freeze end, again when the end moves, looked at
 * again at the end; not held after it, nor for another service; held without a record while the
 * policy is not read yet.
 */
class FreezeGateTest {

  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1", "deploy-orchestrator");
  private static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");
  // Saturday 2026-12-05 12:00 Moscow
  private static final Instant SATURDAY = Instant.parse("2026-12-05T09:00:00Z");
  private static final Instant MONDAY_9 = Instant.parse("2026-12-07T06:00:00Z");

  private final List<ReleaseCommand.HoldDispatch> announced = new ArrayList<>();
  private final List<String> wakeups = new ArrayList<>();
  private final AtomicReference<Optional<PolicyHistory>> policy =
      new AtomicReference<>(Optional.of(weekend(1, "Mon 09:00")));

  private static PolicyHistory weekend(long version, String end) {
    DayOfWeek endDay = end.startsWith("Mon") ? DayOfWeek.MONDAY : DayOfWeek.TUESDAY;
    FreezeWindow w =
        FreezeWindow.weekly(
            List.of("billing"),
            DayOfWeek.FRIDAY,
            LocalTime.of(16, 0),
            endDay,
            LocalTime.parse(end.substring(4)),
            MOSCOW,
            "weekend");
    ReleaseEvent.PolicyChanged p =
        new ReleaseEvent.PolicyChanged(
            Map.of(), null, List.of(), "policy.json", null, null, null, List.of(w));
    return PolicyHistory.NONE.then(
        new EventEnvelope(
            "p-" + version,
            ReleaseEvent.PolicyChanged.SUBJECT,
            version,
            SATURDAY,
            Actor.system("release-api@test"),
            null,
            null,
            null,
            p));
  }

  private FreezeGate gate(Instant now) {
    return new FreezeGate(
        policy::get, Clock.fixed(now, ZoneOffset.UTC), (id, at) -> wakeups.add(id + "@" + at));
  }

  private boolean holds(FreezeGate gate, ReleaseState s) {
    return gate.holds(
        s,
        ORCHESTRATOR,
        (hold, commandId) -> {
          announced.add(hold);
          return true;
        });
  }

  private static ReleaseState approved(String service) {
    ReleaseState s =
        ReleaseDecider.evolve(
            ReleaseState.none("rel-1"),
            new ReleaseEvent.ReleaseCreated(
                new ReleaseSpec(service, "v1.0.0", "octocat", "1", null, null, null, "abc"),
                new ApprovalPolicy(
                    List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, List.of())));
    return ReleaseDecider.evolve(s, new ReleaseEvent.ApprovalQuorumReached(List.of(1L)));
  }

  @Test
  void givenAWeekendFreeze_whenLookedAtTwiceOnSaturday_thenHeldAndRecordedOnce() {
    FreezeGate gate = gate(SATURDAY);
    ReleaseState s = approved("billing");

    assertThat(holds(gate, s)).isTrue();
    assertThat(holds(gate, s)).isTrue();

    assertThat(announced)
        .containsExactly(
            new ReleaseCommand.HoldDispatch("rel-1", MONDAY_9, "weekend", 1L, ORCHESTRATOR));
    assertThat(wakeups).containsExactly("rel-1@" + MONDAY_9);
  }

  @Test
  void givenAHoldTheLogAlreadyHas_whenLookedAtAfterARestart_thenNothingIsRecordedAgain() {
    FreezeGate gate = gate(SATURDAY);
    gate.heldInLog("rel-1", MONDAY_9);

    assertThat(holds(gate, approved("billing"))).isTrue();

    assertThat(announced).isEmpty();
    assertThat(wakeups).containsExactly("rel-1@" + MONDAY_9);
  }

  @Test
  void givenAHeldRelease_whenThePolicyExtendsTheFreeze_thenANewHoldIsRecorded() {
    FreezeGate gate = gate(SATURDAY);
    ReleaseState s = approved("billing");
    holds(gate, s);

    policy.set(Optional.of(weekend(2, "Tue 09:00")));

    assertThat(holds(gate, s)).isTrue();
    assertThat(announced)
        .extracting(ReleaseCommand.HoldDispatch::until)
        .containsExactly(MONDAY_9, MONDAY_9.plusSeconds(86_400));
    assertThat(announced.get(1).policyVersion()).isEqualTo(2L);
  }

  @Test
  void givenAReleaseABreakGlassForced_whenLookedAtDuringTheFreeze_thenNotHeld() {
    ReleaseState s =
        ReleaseDecider.evolve(
            ReleaseState.none("rel-1"),
            new ReleaseEvent.ReleaseCreated(
                new ReleaseSpec("billing", "v1.0.0", "octocat", "1", null, null, null, "abc"),
                new ApprovalPolicy(
                    List.of(new ApprovalPolicy.Approver(1, "Ann", null)),
                    1,
                    false,
                    List.of(7L, 8L))));
    s =
        ReleaseDecider.evolve(
            s,
            new ReleaseEvent.BreakGlassRequested(
                7, "Olga", "payments are down", "v1.0.0", "abc", SATURDAY.plusSeconds(900), 1L));
    assertThat(holds(gate(SATURDAY), s)).as("requested, not confirmed: no approval").isTrue();
    s =
        ReleaseDecider.evolve(
            s,
            new ReleaseEvent.BreakGlassConfirmed(
                7, "Olga", 8, "Petr", "payments are down", "v1.0.0", "abc", 1L));
    s = ReleaseDecider.evolve(s, new ReleaseEvent.ApprovalQuorumReached(List.of()));
    announced.clear();

    assertThat(s.breakGlassConfirmed()).isTrue();
    assertThat(holds(gate(SATURDAY), s)).as("only break-glass passes a freeze").isFalse();
    assertThat(announced).isEmpty();
  }

  @Test
  void givenTheFreezesEnd_whenLookedAt_thenNotHeld() {
    assertThat(holds(gate(MONDAY_9), approved("billing"))).isFalse();
    assertThat(announced).isEmpty();
  }

  @Test
  void givenAFreezeOfAnotherService_whenLookedAt_thenNotHeld() {
    assertThat(holds(gate(SATURDAY), approved("payments"))).isFalse();
  }

  @Test
  void givenThePolicyIsNotReadYet_whenLookedAt_thenHeldWithoutARecord() {
    policy.set(Optional.empty());

    assertThat(holds(gate(MONDAY_9), approved("billing"))).isTrue();
    assertThat(announced).isEmpty();
  }

  @Test
  void givenNoPolicyWasEverRecorded_whenLookedAt_thenNotHeld() {
    policy.set(Optional.of(PolicyHistory.NONE));

    assertThat(holds(gate(SATURDAY), approved("billing"))).isFalse();
  }

  @Test
  void givenReleaseApiDidNotAnswer_whenLookedAtAgain_thenTheHoldIsSentAgain() {
    FreezeGate gate = gate(SATURDAY);
    ReleaseState s = approved("billing");
    List<String> sent = new ArrayList<>();

    gate.holds(s, ORCHESTRATOR, (hold, id) -> sent.add(id) && false);
    gate.holds(s, ORCHESTRATOR, (hold, id) -> sent.add(id));
    gate.holds(s, ORCHESTRATOR, (hold, id) -> sent.add(id));

    // the same command id each time: release-api has one effect however often it is sent
    assertThat(sent)
        .containsExactly(
            "hold-rel-1-" + MONDAY_9.toEpochMilli(), "hold-rel-1-" + MONDAY_9.toEpochMilli());
  }
}
