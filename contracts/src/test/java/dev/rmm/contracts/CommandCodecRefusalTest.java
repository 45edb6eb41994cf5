package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.contracts.CommandCodec.MalformedCommandException;
import dev.rmm.contracts.ReleaseCommand.CancelRelease;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile command records: the owner of a release decodes whatever its topic holds and answers a
 * refusal with the codec's message, so the refusals and their messages are part of the contract.
 * Each refusal here was checked against the field-by-field codec before it moved onto the type
 * registry, and answers as it did; {@link #valuesOfTheWrongType} were accepted then.
 */
class CommandCodecRefusalTest {

  private static final String ACTOR =
      "\"actor\":{\"kind\":\"telegram\",\"id\":\"1001\",\"name\":\"Al\"}";

  private static String command(String type, String fields) {
    return "{\"command_id\":\"c-1\",\"type\":\""
        + type
        + "\",\"release_id\":\"r-1\","
        + ACTOR
        + fields
        + "}";
  }

  static Stream<Arguments> refusalsWithoutAnId() {
    return Stream.of(
        Arguments.of("\u0000not json{", "not JSON: "),
        Arguments.of("[1,2]", "a command must be a JSON object"),
        Arguments.of("\"text\"", "a command must be a JSON object"),
        Arguments.of("null", "a command must be a JSON object"),
        Arguments.of("", "a command must be a JSON object"),
        Arguments.of("{}", "missing command_id"),
        Arguments.of("{\"command_id\":\"  \"}", "missing command_id"),
        Arguments.of("{\"command_id\":{\"a\":1}}", "missing command_id"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusalsWithoutAnId")
  void givenNoReadableCommandId_whenDecoded_thenRefusedWithoutAnId(String json, String message) {
    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(MalformedCommandException.class)
        .hasMessageStartingWith(message)
        .extracting(e -> ((MalformedCommandException) e).commandId())
        .isNull();
  }

  static Stream<Arguments> refusalsWithTheId() {
    String a = ACTOR;
    return Stream.of(
        Arguments.of(
            command("release.teleport.v9", ""), "unknown command type 'release.teleport.v9'"),
        Arguments.of("{\"command_id\":\"c-1\",\"release_id\":\"r\"," + a + "}", "missing 'type'"),
        Arguments.of(
            "{\"command_id\":\"c-1\",\"type\":5,\"release_id\":\"r\"," + a + "}", "missing 'type'"),
        Arguments.of(
            "{\"command_id\":\"c-1\",\"type\":\"release.cancel.v1\"," + a + "}",
            "missing 'release_id'"),
        Arguments.of(
            "{\"command_id\":\"c-1\",\"type\":\"release.cancel.v1\",\"release_id\":\" \","
                + a
                + "}",
            "missing 'release_id'"),
        Arguments.of(
            "{\"command_id\":\"c-1\",\"type\":\"release.cancel.v1\",\"release_id\":\"r\"}",
            "missing 'kind'"),
        Arguments.of(
            "{\"command_id\":\"c-1\",\"type\":\"release.cancel.v1\",\"release_id\":\"r\","
                + "\"actor\":\"x\"}",
            "missing 'kind'"),
        Arguments.of(
            "{\"command_id\":\"c-1\",\"type\":\"release.cancel.v1\",\"release_id\":\"r\","
                + "\"actor\":{\"kind\":\"alien\",\"id\":\"1\"}}",
            "No enum constant dev.rmm.contracts.Actor.Kind.ALIEN"),
        Arguments.of(
            "{\"command_id\":\"c-1\",\"type\":\"release.cancel.v1\",\"release_id\":\"r\","
                + "\"actor\":{\"kind\":\"telegram\"}}",
            "missing 'id'"),
        Arguments.of(
            "{\"command_id\":\"c-1\",\"type\":\"release.cancel.v1\",\"release_id\":\"r\","
                + "\"actor\":{\"kind\":\"telegram\",\"id\":\"1\",\"on_behalf_of\":{\"kind\":\"telegram\"}}}",
            "missing 'id'"),
        Arguments.of(command("release.approve.v1", ""), "missing or non-numeric telegram_user_id"),
        Arguments.of(
            command("release.approve.v1", ",\"telegram_user_id\":\"1001\""),
            "missing or non-numeric telegram_user_id"),
        Arguments.of(
            command("release.approve.v1", ",\"telegram_user_id\":1e30"),
            "missing or non-numeric telegram_user_id"),
        Arguments.of(command("release.reject.v1", ""), "missing or non-numeric telegram_user_id"),
        Arguments.of(
            command("release.request-rollback.v1", ""), "missing or non-numeric telegram_user_id"),
        Arguments.of(command("release.report-step.v1", ""), "missing 'status'"),
        Arguments.of(
            command("release.report-step.v1", ",\"status\":\"flying\""),
            "unknown status 'flying'; known statuses: [initiated, "),
        Arguments.of(command("release.create.v1", ""), "missing 'spec' (a JSON object)"),
        Arguments.of(
            command("release.create.v1", ",\"spec\":[],\"policy\":{}"),
            "missing 'spec' (a JSON object)"),
        Arguments.of(
            command("release.create.v1", ",\"spec\":{}"), "missing 'policy' (a JSON object)"),
        Arguments.of(
            command("release.create.v1", ",\"spec\":{},\"policy\":{}"),
            "Cannot construct instance of `dev.rmm.contracts.ApprovalPolicy`"),
        Arguments.of(command("release.start-dispatch.v1", ""), "missing 'dispatch_id'"),
        Arguments.of(command("release.record-dispatch.v1", ""), "missing 'dispatch_id'"),
        Arguments.of(command("release.start-runbook.v1", ""), "missing 'run_id'"),
        Arguments.of(command("release.record-runbook-step.v1", ""), "missing 'run_id'"),
        Arguments.of(
            command("release.record-runbook-step.v1", ",\"run_id\":\"x\""), "missing 'step'"),
        Arguments.of(command("release.finish-runbook.v1", ""), "missing 'run_id'"),
        Arguments.of(
            command("release.cancel.v1", ",\"deadline_ms\":\"tomorrow\""),
            "deadline_ms must be epoch milliseconds"),
        Arguments.of(
            command("release.cancel.v1", ",\"deadline_ms\":1e300"),
            "deadline_ms must be epoch milliseconds"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("refusalsWithTheId")
  void givenAReadableCommandId_whenTheRestIsMalformed_thenRefusedWithTheIdAndWhy(
      String json, String message) {
    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(MalformedCommandException.class)
        .hasMessageStartingWith(message)
        .extracting(e -> ((MalformedCommandException) e).commandId())
        .isEqualTo("c-1");
  }

  static Stream<Arguments> valuesOfTheWrongType() {
    return Stream.of(
        Arguments.of(
            command("release.approve.v1", ",\"telegram_user_id\":1001,\"seen_version\":\"x\""),
            "seen_version"),
        Arguments.of(
            command("release.record-dispatch.v1", ",\"dispatch_id\":\"d\",\"http_status\":\"abc\""),
            "http_status"),
        Arguments.of(
            command(
                "release.record-dispatch.v1", ",\"dispatch_id\":\"d\",\"http_status\":99999999999"),
            "http_status"),
        Arguments.of(
            command("release.record-dispatch.v1", ",\"dispatch_id\":\"d\",\"dispatched\":\"yes\""),
            "dispatched"),
        Arguments.of(command("release.cancel.v1", ",\"reason\":{\"x\":1}"), "reason"));
  }

  /**
   * The field-by-field codec read these as 0, false, a truncated int or an empty text, and the
   * decider decided on the made-up value; no sender writes them (every sender encodes with this
   * codec), so they are refused now, naming the field.
   */
  @ParameterizedTest(name = "{1}")
  @MethodSource("valuesOfTheWrongType")
  void givenAValueOfTheWrongType_whenDecoded_thenRefusedNamingTheField(String json, String field) {
    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(MalformedCommandException.class)
        .hasMessageContaining("(field '" + field + "')")
        .extracting(e -> ((MalformedCommandException) e).commandId())
        .isEqualTo("c-1");
  }

  @Test
  void givenLenientButReadableInput_whenDecoded_thenItIsReadAsBefore() {
    // a numeric id is read as text; the actor's kind in any case; a number where text belongs
    CommandCodec.Envelope e =
        decode(
            "{\"command_id\":7,\"type\":\"release.cancel.v1\",\"release_id\":\"r-1\","
                + "\"actor\":{\"kind\":\"Telegram\",\"id\":\"1\"},\"reason\":5}");

    assertThat(e.commandId()).isEqualTo("7");
    assertThat(e.command())
        .isEqualTo(new CancelRelease("r-1", "5", new Actor(Actor.Kind.TELEGRAM, "1", "1")));
  }

  @Test
  void givenTrailingTokensOrADuplicatedField_whenDecoded_thenTheFirstValueAndTheLastFieldCount() {
    // never refused before; kept, so that no record on a topic today becomes unreadable
    assertThat(decode(command("release.cancel.v1", ",\"reason\":\"x\"") + " trailing").command())
        .isEqualTo(decode(command("release.cancel.v1", ",\"reason\":\"x\"")).command());
    assertThat(decode(command("release.cancel.v1", ",\"reason\":\"x\",\"reason\":\"y\"")).command())
        .isEqualTo(new CancelRelease("r-1", "y", new Actor(Actor.Kind.TELEGRAM, "1001", "Al")));
  }

  private static CommandCodec.Envelope decode(String json) {
    return CommandCodec.decode(json.getBytes(StandardCharsets.UTF_8));
  }
}
