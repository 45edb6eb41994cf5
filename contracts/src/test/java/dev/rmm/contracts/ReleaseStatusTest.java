package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The status strings and the transition table are exactly those of PRODUCT.md section 3. */
class ReleaseStatusTest {

  /**
   * PRODUCT.md section 3, written out: every status with the statuses it may move to. "Any
   * non-final status -> cancelled" covers every release still on its way; a deployed release is
   * rolled back, not cancelled.
   */
  private static final String TRANSITIONS =
      """
      initiated                  -> stage_building, cancelled
      stage_building             -> stage_building_failed, stage_test_rollback, cancelled
      stage_building_failed      ->
      stage_test_rollback        -> stage_test_rollback_failed, manual_testing, cancelled
      stage_test_rollback_failed ->
      manual_testing             -> manual_test_passed, manual_test_failed, cancelled
      manual_test_passed         -> deploying, cancelled
      manual_test_failed         ->
      deploying                  -> deployed, production_failed, production_rollback, cancelled
      deployed                   -> production_rollback
      production_failed          ->
      production_rollback        -> rollback_done, rollback_failed, cancelled
      rollback_done              ->
      rollback_failed            ->
      cancelled                  ->
      """;

  private static final Map<String, Set<String>> ALLOWED = parse(TRANSITIONS);

  @Test
  void givenTheApi_thenTheWireStringsAreExactlyTheFifteenOfTheProductSpec() {
    assertThat(ReleaseStatus.wireValues())
        .containsExactly(
            "initiated",
            "stage_building",
            "stage_building_failed",
            "stage_test_rollback",
            "stage_test_rollback_failed",
            "manual_testing",
            "manual_test_passed",
            "manual_test_failed",
            "deploying",
            "deployed",
            "production_failed",
            "production_rollback",
            "rollback_done",
            "rollback_failed",
            "cancelled");
    assertThat(ALLOWED.keySet()).containsExactlyElementsOf(ReleaseStatus.wireValues());
  }

  @ParameterizedTest
  @EnumSource(ReleaseStatus.class)
  void givenAWireString_whenParsed_thenItIsThatStatus(ReleaseStatus status) {
    assertThat(ReleaseStatus.fromWire(status.wire())).isSameAs(status);
    assertThat(ReleaseStatus.parse(status.wire())).contains(status);
    assertThat(status).hasToString(status.wire());
  }

  @Test
  void givenDifferentCaseOrSurroundingBlanks_whenParsed_thenTheStatusIsFound() {
    assertThat(ReleaseStatus.parse("  Manual_Testing\n")).contains(ReleaseStatus.MANUAL_TESTING);
  }

  @Test
  void givenAnUnknownValue_whenParsed_thenTheErrorNamesItAndListsTheKnownStatuses() {
    assertThat(ReleaseStatus.parse("shipped")).isEmpty();
    assertThat(ReleaseStatus.parse(null)).isEmpty();
    assertThatThrownBy(() -> ReleaseStatus.fromWire("shipped"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown status 'shipped'; known statuses: " + ReleaseStatus.wireValues());
    assertThatThrownBy(() -> ReleaseStatus.fromWire(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown status 'null'");
    assertThatThrownBy(() -> ReleaseStatus.fromWire("MANUAL TESTING"))
        .hasMessageContaining("'MANUAL TESTING'");
  }

  @Test
  void givenJson_thenAStatusIsWrittenAndReadAsItsWireString() throws Exception {
    ObjectMapper mapper = EventCodec.mapper();
    assertThat(mapper.writeValueAsString(ReleaseStatus.MANUAL_TEST_PASSED))
        .isEqualTo("\"manual_test_passed\"");
    assertThat(mapper.readValue("\"rollback_done\"", ReleaseStatus.class))
        .isEqualTo(ReleaseStatus.ROLLBACK_DONE);
  }

  static Stream<Arguments> everyPairOfStatuses() {
    return Arrays.stream(ReleaseStatus.values())
        .flatMap(from -> Arrays.stream(ReleaseStatus.values()).map(to -> Arguments.of(from, to)));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("everyPairOfStatuses")
  void givenTwoStatuses_thenTheMoveIsAllowedExactlyWhenTheProductTableSaysSo(
      ReleaseStatus from, ReleaseStatus to) {
    boolean allowed = ALLOWED.get(from.wire()).contains(to.wire());
    assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isEqualTo(allowed);
    assertThat(from.next().contains(to)).isEqualTo(allowed);
  }

  @Test
  void givenTheTable_thenTheFinalStatusesAreThoseWithNoWayOut() {
    assertThat(statusesWhere(ReleaseStatus::isTerminal))
        .containsExactly(
            "stage_building_failed",
            "stage_test_rollback_failed",
            "manual_test_failed",
            "production_failed",
            "rollback_done",
            "rollback_failed",
            "cancelled");
    assertThat(statusesWhere(ReleaseStatus::isCancellable))
        .allSatisfy(s -> assertThat(ALLOWED.get(s)).contains("cancelled"));
  }

  @Test
  void givenAPipeline_thenOnlyQuorumRejectionAndCancellationAreLeftToRmm() {
    assertThat(statusesWhere(ReleaseStatus::isDecidedByRmm))
        .containsExactly("manual_test_passed", "manual_test_failed", "cancelled");
  }

  @Test
  void givenTheMenuLists_thenEachStatusBelongsToTheExpectedOne() {
    assertThat(statusesWhere(s -> s.outcome() == Outcome.SUCCESSFUL)).containsExactly("deployed");
    assertThat(statusesWhere(s -> s.outcome() == Outcome.CANCELLED)).containsExactly("cancelled");
    assertThat(statusesWhere(s -> s.outcome() == Outcome.FAILED))
        .containsExactly(
            "stage_building_failed",
            "stage_test_rollback_failed",
            "manual_test_failed",
            "production_failed",
            "rollback_done",
            "rollback_failed");
  }

  private static List<String> statusesWhere(Predicate<ReleaseStatus> p) {
    return Arrays.stream(ReleaseStatus.values()).filter(p).map(ReleaseStatus::wire).toList();
  }

  private static Map<String, Set<String>> parse(String table) {
    Map<String, Set<String>> allowed = new LinkedHashMap<>();
    for (String line : table.strip().split("\n")) {
      String[] sides = line.split("->", -1);
      Set<String> targets =
          Arrays.stream(sides[1].split(","))
              .map(String::strip)
              .filter(s -> !s.isEmpty())
              .collect(Collectors.toSet());
      allowed.put(sides[0].strip(), targets);
    }
    return allowed;
  }
}
