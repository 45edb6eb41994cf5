package dev.rmm.contracts;

import static dev.rmm.contracts.ReleaseDecider.decide;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYED;
import static dev.rmm.contracts.ReleaseStatus.DEPLOYING;
import static dev.rmm.contracts.ReleaseStatus.INITIATED;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TESTING;
import static dev.rmm.contracts.ReleaseStatus.MANUAL_TEST_PASSED;
import static dev.rmm.contracts.ReleaseStatus.PRODUCTION_FAILED;
import static dev.rmm.contracts.ReleaseStatus.PRODUCTION_ROLLBACK;
import static dev.rmm.contracts.ReleaseStatus.ROLLBACK_DONE;
import static dev.rmm.contracts.ReleaseStatus.ROLLBACK_FAILED;
import static dev.rmm.contracts.ReleaseStatus.STAGE_BUILDING;
import static dev.rmm.contracts.ReleaseStatus.STAGE_BUILDING_FAILED;
import static dev.rmm.contracts.ReleaseStatus.STAGE_TEST_ROLLBACK;
import static dev.rmm.contracts.ReleaseStatus.STAGE_TEST_ROLLBACK_FAILED;
import static dev.rmm.contracts.Releases.ID;
import static dev.rmm.contracts.Releases.accepted;
import static dev.rmm.contracts.Releases.inStatus;
import static dev.rmm.contracts.Releases.none;
import static dev.rmm.contracts.Releases.refused;
import static dev.rmm.contracts.Releases.report;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refusal;
import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** A pipeline reports lifecycle steps; the state machine says which it may report. */
class ReleaseDeciderReportStepTest {

  /** What a pipeline may report from each status: never quorum, rejection, cancellation. */
  private static final Map<ReleaseStatus, Set<ReleaseStatus>> REPORTABLE =
      new EnumMap<>(ReleaseStatus.class);

  static {
    for (ReleaseStatus s : ReleaseStatus.values()) {
      REPORTABLE.put(s, EnumSet.noneOf(ReleaseStatus.class));
    }
    REPORTABLE.put(INITIATED, EnumSet.of(STAGE_BUILDING));
    REPORTABLE.put(STAGE_BUILDING, EnumSet.of(STAGE_BUILDING_FAILED, STAGE_TEST_ROLLBACK));
    REPORTABLE.put(STAGE_TEST_ROLLBACK, EnumSet.of(STAGE_TEST_ROLLBACK_FAILED, MANUAL_TESTING));
    REPORTABLE.put(MANUAL_TEST_PASSED, EnumSet.of(DEPLOYING));
    REPORTABLE.put(DEPLOYING, EnumSet.of(DEPLOYED, PRODUCTION_FAILED, PRODUCTION_ROLLBACK));
    REPORTABLE.put(PRODUCTION_ROLLBACK, EnumSet.of(ROLLBACK_DONE, ROLLBACK_FAILED));
  }

  static Stream<Arguments> everyStepFromEveryStatus() {
    return Arrays.stream(ReleaseStatus.values())
        .flatMap(from -> Arrays.stream(ReleaseStatus.values()).map(to -> Arguments.of(from, to)));
  }

  @ParameterizedTest(name = "{0} reports {1}")
  @MethodSource("everyStepFromEveryStatus")
  void givenAnyStatus_whenAnyStepIsReported_thenItIsAcceptedExactlyWhenReportable(
      ReleaseStatus from, ReleaseStatus to) {
    ReleaseState state = inStatus(from);

    Decision decision = decide(report(to), state);

    if (from == to) {
      assertThat(accepted(decision)).as("a repeated report changes nothing").isEmpty();
    } else if (ReleaseDecider.reportableNext(from).contains(to)) {
      assertThat(accepted(decision)).containsExactly(new StatusChanged(from, to, "step " + to));
      assertThat(from.canMoveTo(to)).isTrue();
    } else {
      Refused refused = refused(decision, Refusal.ILLEGAL_TRANSITION);
      assertThat(refused.detail())
          .contains("is " + from.wire())
          .contains("cannot move to " + to.wire())
          .endsWith(ReleaseDecider.allowedSteps(from));
      assertThat(refused.events()).as("a pipeline's refused step is not audited").isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(ReleaseStatus.class)
  void givenAStatus_thenPipelinesMayReportEveryNextStepButThoseRmmOrAnAdminDecide(
      ReleaseStatus from) {
    assertThat(ReleaseDecider.reportableNext(from)).isEqualTo(REPORTABLE.get(from));
  }

  @Test
  void givenNoRelease_whenAStepIsReported_thenNotFound() {
    Refused refused = refused(decide(report(STAGE_BUILDING), none()), Refusal.NOT_FOUND);

    assertThat(refused.detail()).isEqualTo("release " + ID + " not found");
    assertThat(refused.events()).isEmpty();
  }

  @Test
  void givenInitiated_whenStageBuildingIsReported_thenTheReleaseMovesOn() {
    ReleaseState state = inStatus(INITIATED);

    var events = accepted(decide(report(STAGE_BUILDING), state));
    ReleaseState after = ReleaseDecider.evolveAll(state, events);

    assertThat(after.status()).isEqualTo(STAGE_BUILDING);
    assertThat(after.version()).isEqualTo(state.version() + 1);
    assertThat(after.statusVersion()).isEqualTo(after.version());
  }

  @Test
  void givenAStepAlreadyReported_whenTheSameStepIsReportedAgain_thenAcceptedWithNoEvents() {
    ReleaseState state = inStatus(STAGE_BUILDING);

    assertThat(accepted(decide(report(STAGE_BUILDING), state))).isEmpty();
  }

  @Test
  void givenManualTesting_whenAPipelineReportsPassed_thenRefusedWithTheReason() {
    Refused refused =
        refused(
            decide(report(MANUAL_TEST_PASSED), inStatus(MANUAL_TESTING)),
            Refusal.ILLEGAL_TRANSITION);

    assertThat(refused.detail())
        .isEqualTo(
            "release "
                + ID
                + " is manual_testing; it cannot move to manual_test_passed (it is set when the"
                + " approval quorum is reached). No step can be reported now: the release waits"
                + " for its approvals or a rejection");
  }

  @Test
  void givenADeployedRelease_whenAPipelineReportsProductionRollback_thenOnlyAnAdminMayAskForIt() {
    Refused refused =
        refused(
            decide(report(PRODUCTION_ROLLBACK), inStatus(DEPLOYED)), Refusal.ILLEGAL_TRANSITION);

    assertThat(refused.detail()).contains("No step can be reported");
  }

  @Test
  void givenAVeryLongDetail_whenReported_thenTheEventKeepsTheFirstThousandCharacters() {
    String detail = "x".repeat(ReleaseDecider.MAX_TEXT + 50);
    ReportStep step = new ReportStep(ID, STAGE_BUILDING, detail, Releases.PIPELINE);

    var events = accepted(decide(step, inStatus(INITIATED)));

    assertThat(((StatusChanged) events.get(0)).detail()).hasSize(ReleaseDecider.MAX_TEXT);
  }
}
