package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decider dispatches with {@code instanceof} chains, and the codecs look classes up in
 * registries built from hand-written lists: Java 17 checks none of them against the sealed
 * interfaces. This test does. It walks {@link Class#getPermittedSubclasses()} of {@link
 * ReleaseCommand} and {@link ReleaseEvent}, so a new type fails here until it has a {@code TYPE},
 * its place in {@code ALL} and in the codec's registry, golden files, and a branch in {@code
 * decide} or {@code evolve}.
 */
class PermittedSubclassesTest {

  static Stream<Class<?>> everyCommandClass() {
    return Arrays.stream(ReleaseCommand.class.getPermittedSubclasses());
  }

  static Stream<Class<?>> everyEventClass() {
    return Arrays.stream(ReleaseEvent.class.getPermittedSubclasses());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyCommandClass")
  void givenACommandClass_thenTheCodecKnowsItsTypeAndItsGoldenFilesDecodeToIt(Class<?> c) {
    String type = typeName(c);

    assertThat(ReleaseCommand.ALL)
        .as("ReleaseCommand.ALL")
        .contains(c.asSubclass(ReleaseCommand.class));
    assertThat(CommandCodec.types())
        .as("CommandCodec.types()")
        .containsEntry(type, c.asSubclass(ReleaseCommand.class));
    for (String shape : CommandCodecGoldenTest.SHAPES) {
      assertThat(CommandCodec.decode(CommandCodecGoldenTest.golden(shape, type)).command())
          .as(shape + " golden file of " + type)
          .isInstanceOf(c);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyCommandClass")
  void givenACommandClass_whenDecided_thenTheDeciderHasABranchForIt(Class<?> c) {
    for (String shape : CommandCodecGoldenTest.SHAPES) {
      ReleaseCommand command = CommandCodecGoldenTest.fixture(shape, typeName(c)).command();
      ReleaseState none = ReleaseState.none(command.releaseId());

      assertThatCode(() -> ReleaseDecider.decide(command, none))
          .as("ReleaseDecider.decide has no branch for " + c.getSimpleName())
          .doesNotThrowAnyException();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyEventClass")
  void givenAnEventClass_thenTheCodecKnowsItsTypeAndItsGoldenFileDecodesToIt(Class<?> c) {
    String type = typeName(c);

    assertThat(ReleaseEvent.ALL).as("ReleaseEvent.ALL").contains(c.asSubclass(ReleaseEvent.class));
    assertThat(EventCodec.types())
        .as("EventCodec.types()")
        .containsEntry(type, c.asSubclass(ReleaseEvent.class));
    assertThat(EventCodec.decode(EventCodecGoldenTest.golden(type)).data())
        .as("golden file of " + type)
        .isInstanceOf(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyEventClass")
  void givenAnEventClass_whenEvolved_thenEvolveHasABranchForIt(Class<?> c) {
    ReleaseEvent event = EventCodecGoldenTest.fixture(typeName(c)).data();
    // created, with a dispatch and a runbook under way: every event applies to it
    ReleaseState underWay =
        ReleaseDecider.evolveAll(
            ReleaseState.none(GoldenEvents.RELEASE),
            List.of(
                data(ReleaseEvent.ReleaseCreated.TYPE),
                data(ReleaseEvent.DispatchStarted.TYPE),
                data(ReleaseEvent.RunbookStarted.TYPE)));

    assertThatCode(() -> ReleaseDecider.evolve(underWay, event))
        .as("ReleaseDecider.evolve has no branch for " + c.getSimpleName())
        .doesNotThrowAnyException();
  }

  @Test
  void givenTheHandWrittenLists_thenTheyHoldThePermittedSubclassesAndNothingElse() {
    assertThat(ReleaseCommand.ALL)
        .containsExactlyInAnyOrderElementsOf(
            everyCommandClass().map(c -> c.asSubclass(ReleaseCommand.class)).toList());
    assertThat(ReleaseEvent.ALL)
        .containsExactlyInAnyOrderElementsOf(
            everyEventClass().map(c -> c.asSubclass(ReleaseEvent.class)).toList());
    assertThat(GoldenCommands.FULL.keySet())
        .containsExactlyInAnyOrderElementsOf(CommandCodec.types().keySet());
    assertThat(GoldenCommands.SPARSE.keySet())
        .containsExactlyInAnyOrderElementsOf(CommandCodec.types().keySet());
  }

  private static ReleaseEvent data(String type) {
    return EventCodecGoldenTest.fixture(type).data();
  }

  private static String typeName(Class<?> c) {
    try {
      return (String) c.getField("TYPE").get(null);
    } catch (ReflectiveOperationException e) {
      return fail("%s has no public static TYPE constant (its stable wire type name)", c);
    }
  }
}
