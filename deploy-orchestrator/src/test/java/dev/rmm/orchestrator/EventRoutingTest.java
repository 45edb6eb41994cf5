package dev.rmm.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.log.ChainRule;
import dev.rmm.contracts.log.Link;
import dev.rmm.orchestrator.EventRouting.Route;
import dev.rmm.orchestrator.EventRouting.Timer;
import dev.rmm.orchestrator.EventRouting.Work;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Where the orchestrator's log reader sends what it read, without a broker: the rules {@link
 * Orchestrator} follows for timers and for the work a release gets.
 */
class EventRoutingTest {

  private static final String ID = "637b50d7-d381-3ff7-8b68-eb3483472972";
  private static final Instant FREEZE_ENDS = Instant.parse("2026-11-26T21:00:00Z");

  /** The checks {@link EventRouting#work} asked, in order. */
  private final List<String> asked = new ArrayList<>();

  @Test
  void givenAHeldDispatch_whenRouted_thenTheReleaseIsLookedAtAgainWhenTheFreezeEnds() {
    Route route =
        EventRouting.route(valid(new ReleaseEvent.DispatchHeld(FREEZE_ENDS, "release train", 4L)));

    assertThat(route).isEqualTo(new Route.Touch(ID, new Timer.HeldUntil(FREEZE_ENDS)));
  }

  @Test
  void givenAClaimedDispatch_whenRouted_thenAHoldOfTheReleaseIsOver() {
    Route route =
        EventRouting.route(
            valid(
                new ReleaseEvent.DispatchStarted(
                    "d-1", "acme/billing", "on-approve-manual-testing.yml", "main")));

    assertThat(route).isEqualTo(new Route.Touch(ID, new Timer.HoldOver()));
  }

  @Test
  void givenABreakGlassRequest_whenRouted_thenItsExpiryIsTimed() {
    Instant expires = Instant.parse("2026-11-26T20:15:00Z");

    Route route =
        EventRouting.route(
            valid(
                new ReleaseEvent.BreakGlassRequested(
                    2001, "Olga", "payments are down", "v1.4.0", "3f2c1a9", expires, 4L)));

    assertThat(route).isEqualTo(new Route.Touch(ID, new Timer.BreakGlassExpires(expires)));
  }

  @Test
  void givenAnApprovalOrAStatusChange_whenRouted_thenTheReleaseIsLookedAtWithoutATimer() {
    Route quorum =
        EventRouting.route(
            valid(
                new ReleaseEvent.StatusChanged(
                    ReleaseStatus.MANUAL_TESTING, ReleaseStatus.MANUAL_TEST_PASSED, null)));

    assertThat(quorum).isEqualTo(new Route.Touch(ID, new Timer.None()));
  }

  @Test
  void givenAVoidEventOrAnUnreadableRecord_whenRouted_thenNothingIsLookedAt() {
    EventEnvelope rival =
        event(
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.MANUAL_TESTING, ReleaseStatus.MANUAL_TEST_PASSED, null));

    assertThat(EventRouting.route(new Link.Void(rival, "sequence 6 follows 6")))
        .isEqualTo(new Route.Skip(false, "sequence 6 follows 6"));
    assertThat(EventRouting.route(new Link.Unreadable(ID, "unknown type release.x.v9")))
        .isEqualTo(new Route.Skip(true, "unknown type release.x.v9"));
  }

  @Test
  void givenADueDispatch_whenWorkIsChosen_thenItIsDispatchedWithoutAskingAboutRunbooks() {
    Work work = EventRouting.work(true, true, check("deploying", true), check("taking-over", true));

    assertThat(work).isEqualTo(Work.DISPATCH);
    assertThat(asked).isEmpty();
  }

  @Test
  void givenADueRunbookAndAQuietService_whenWorkIsChosen_thenItRuns() {
    Work work =
        EventRouting.work(false, true, check("deploying", false), check("taking-over", false));

    assertThat(work).isEqualTo(Work.RUNBOOK);
    assertThat(asked).containsExactly("deploying", "taking-over");
  }

  @Test
  void givenADueRunbookWhileAnotherReleaseOfItsServiceDeploys_whenWorkIsChosen_thenItWaits() {
    Work work =
        EventRouting.work(false, true, check("deploying", true), check("taking-over", false));

    assertThat(work).isEqualTo(Work.NONE);
    assertThat(asked).containsExactly("deploying"); // the wait is logged by that check alone
  }

  @Test
  void
      givenADueRunbookStartedByThePartitionsLastOwner_whenWorkIsChosen_thenItWaitsForTheTakeOver() {
    Work work =
        EventRouting.work(false, true, check("deploying", false), check("taking-over", true));

    assertThat(work).isEqualTo(Work.NONE);
  }

  @Test
  void givenNothingDue_whenWorkIsChosen_thenNothingRunsAndNothingIsAsked() {
    Work work =
        EventRouting.work(false, false, check("deploying", false), check("taking-over", false));

    assertThat(work).isEqualTo(Work.NONE);
    assertThat(asked).isEmpty();
  }

  private BooleanSupplier check(String name, boolean answer) {
    return () -> {
      asked.add(name);
      return answer;
    };
  }

  private static Link valid(ReleaseEvent data) {
    return new Link.Valid(event(data), ChainRule.Head.NONE);
  }

  private static EventEnvelope event(ReleaseEvent data) {
    return new EventEnvelope(
        "e-6",
        ID,
        6,
        Instant.parse("2026-11-26T20:00:00Z"),
        Actor.system("test"),
        "c",
        "c",
        null,
        data);
  }
}
