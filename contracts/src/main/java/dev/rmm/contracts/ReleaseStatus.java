package dev.rmm.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Every status a release can be in. The wire values ({@link #wire()}) are part of the public API
 * and match the original system's strings exactly.
 */
public enum ReleaseStatus {
  INITIATED("initiated", Outcome.ACTIVE),
  STAGE_BUILDING("stage_building", Outcome.ACTIVE),
  STAGE_BUILDING_FAILED("stage_building_failed", Outcome.FAILED),
  STAGE_TEST_ROLLBACK("stage_test_rollback", Outcome.ACTIVE),
  STAGE_TEST_ROLLBACK_FAILED("stage_test_rollback_failed", Outcome.FAILED),
  MANUAL_TESTING("manual_testing", Outcome.ACTIVE),
  MANUAL_TEST_PASSED("manual_test_passed", Outcome.ACTIVE),
  MANUAL_TEST_FAILED("manual_test_failed", Outcome.FAILED),
  DEPLOYING("deploying", Outcome.ACTIVE),
  DEPLOYED("deployed", Outcome.SUCCESSFUL),
  PRODUCTION_FAILED("production_failed", Outcome.FAILED),
  PRODUCTION_ROLLBACK("production_rollback", Outcome.ACTIVE),
  ROLLBACK_DONE("rollback_done", Outcome.FAILED),
  ROLLBACK_FAILED("rollback_failed", Outcome.FAILED),
  CANCELLED("cancelled", Outcome.CANCELLED);

  private final String wire;
  private final Outcome outcome;

  ReleaseStatus(String wire, Outcome outcome) {
    this.wire = wire;
    this.outcome = outcome;
  }

  /** The exact string used in the HTTP API, the events and the read model. */
  @JsonValue
  public String wire() {
    return wire;
  }

  /** Which list (active / successful / failed / cancelled) a release in this status belongs to. */
  public Outcome outcome() {
    return outcome;
  }

  /** Statuses this one may move to, cancellation included. */
  public Set<ReleaseStatus> next() {
    Set<ReleaseStatus> next =
        switch (this) {
          case INITIATED -> EnumSet.of(STAGE_BUILDING);
          case STAGE_BUILDING -> EnumSet.of(STAGE_BUILDING_FAILED, STAGE_TEST_ROLLBACK);
          case STAGE_TEST_ROLLBACK -> EnumSet.of(STAGE_TEST_ROLLBACK_FAILED, MANUAL_TESTING);
          case MANUAL_TESTING -> EnumSet.of(MANUAL_TEST_PASSED, MANUAL_TEST_FAILED);
          case MANUAL_TEST_PASSED -> EnumSet.of(DEPLOYING);
          case DEPLOYING -> EnumSet.of(DEPLOYED, PRODUCTION_FAILED, PRODUCTION_ROLLBACK);
          case DEPLOYED -> EnumSet.of(PRODUCTION_ROLLBACK);
          case PRODUCTION_ROLLBACK -> EnumSet.of(ROLLBACK_DONE, ROLLBACK_FAILED);
          case STAGE_BUILDING_FAILED,
              STAGE_TEST_ROLLBACK_FAILED,
              MANUAL_TEST_FAILED,
              PRODUCTION_FAILED,
              ROLLBACK_DONE,
              ROLLBACK_FAILED,
              CANCELLED ->
              EnumSet.noneOf(ReleaseStatus.class);
        };
    if (isCancellable()) {
      next.add(CANCELLED);
    }
    return next;
  }

  public boolean canMoveTo(ReleaseStatus target) {
    return next().contains(target);
  }

  /** A final status: nothing can happen to the release any more. */
  public boolean isTerminal() {
    return next().isEmpty();
  }

  /**
   * Any release still on its way can be cancelled; a deployed one cannot (it is rolled back
   * instead).
   */
  public boolean isCancellable() {
    return outcome == Outcome.ACTIVE;
  }

  /**
   * Whether a newer release of the service may supersede a release in this status: one still on its
   * way that has not started toward production ({@code deploying} and later are production's, and a
   * final status stays as it is).
   */
  public boolean isSupersedable() {
    return isCancellable() && ordinal() < DEPLOYING.ordinal();
  }

  /**
   * Statuses that only rmm itself decides: the quorum ({@code manual_test_passed}), a rejection
   * ({@code manual_test_failed}) and a cancellation. A pipeline reporting a step may not set them.
   */
  public boolean isDecidedByRmm() {
    return this == MANUAL_TEST_PASSED || this == MANUAL_TEST_FAILED || this == CANCELLED;
  }

  @JsonCreator
  public static ReleaseStatus fromWire(String value) {
    return parse(value)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown status '" + value + "'; known statuses: " + wireValues()));
  }

  public static Optional<ReleaseStatus> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(s -> s.wire.equals(v)).findFirst();
  }

  public static List<String> wireValues() {
    return Arrays.stream(values()).map(ReleaseStatus::wire).toList();
  }

  @Override
  public String toString() {
    return wire;
  }
}
