package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.CommandCodec.Envelope;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Commands are a public contract like events: records of every type written by the gateway, the
 * orchestrator and forwarding release-api instances wait on {@code rmm.release-commands}. Each
 * type's JSON is pinned twice, with every optional field filled ({@code golden-commands/full}) and
 * with none ({@code golden-commands/sparse}); the files were written by the field-by-field codec
 * that came before the type registry. A change that breaks one of these tests changes the wire
 * format: give the command a new type version instead of editing the golden file.
 */
class CommandCodecGoldenTest {

  static final List<String> SHAPES = List.of("full", "sparse");

  static Stream<Arguments> everyCommandTypeInEveryShape() {
    return SHAPES.stream()
        .flatMap(shape -> everyCommandType().map(type -> Arguments.of(shape, type)));
  }

  static Stream<String> everyCommandType() {
    return GoldenCommands.FULL.keySet().stream().sorted();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyCommandTypeInEveryShape")
  void givenAFixedEnvelope_whenEncoded_thenTheBytesAreTheGoldenFile(String shape, String type)
      throws IOException {
    byte[] encoded = GoldenCommands.encode(fixture(shape, type));

    JsonNode golden = EventCodec.mapper().readTree(golden(shape, type));
    assertThat(EventCodec.mapper().readTree(encoded)).isEqualTo(golden);
    // the same fields in the same order, byte for byte once the file's indentation is removed
    assertThat(new String(encoded, StandardCharsets.UTF_8))
        .isEqualTo(EventCodec.mapper().writeValueAsString(golden));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyCommandTypeInEveryShape")
  void givenTheGoldenFile_whenDecoded_thenItIsTheFixedEnvelope(String shape, String type) {
    assertThat(CommandCodec.decode(golden(shape, type))).isEqualTo(fixture(shape, type));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyCommandTypeInEveryShape")
  void givenAnEnvelope_whenEncodedAndDecoded_thenItIsUnchanged(String shape, String type) {
    Envelope envelope = fixture(shape, type);

    assertThat(CommandCodec.decode(GoldenCommands.encode(envelope))).isEqualTo(envelope);
  }

  @Test
  void givenTheGoldenFolders_thenEachHoldsOneFilePerCommandTypeAndNothingElse()
      throws IOException, URISyntaxException {
    for (String shape : SHAPES) {
      Path folder =
          Path.of(CommandCodecGoldenTest.class.getResource("/golden-commands/" + shape).toURI());
      try (Stream<Path> files = Files.list(folder)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as(shape)
            .containsExactlyInAnyOrderElementsOf(everyCommandType().map(t -> t + ".json").toList());
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyCommandTypeInEveryShape")
  void givenAGoldenFile_thenItSpeaksTheWireVocabularyNotJava(String shape, String type)
      throws IOException {
    String json = new String(golden(shape, type), StandardCharsets.UTF_8);

    assertThat(json).doesNotContain("dev.rmm", "java.", "@class", "Release", "Approve");
    assertThat(fieldNames(EventCodec.mapper().readTree(json)))
        .allMatch(n -> n.matches("[a-z][a-z0-9_]*"), "snake_case");
  }

  static Envelope fixture(String shape, String type) {
    Map<String, Envelope> fixtures =
        shape.equals("full") ? GoldenCommands.FULL : GoldenCommands.SPARSE;
    Envelope envelope = fixtures.get(type);
    if (envelope == null) {
      fail("no fixed %s envelope for command type %s: add one to GoldenCommands", shape, type);
    }
    return envelope;
  }

  static byte[] golden(String shape, String type) {
    String path = "/golden-commands/" + shape + "/" + type + ".json";
    try (InputStream in = CommandCodecGoldenTest.class.getResourceAsStream(path)) {
      if (in == null) {
        fail(
            "no golden file for command type %s: add src/test/resources%s (encode the fixed"
                + " envelope once, check it by eye, then never regenerate it)",
            type, path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path, e);
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    if (node.isObject()) {
      for (var field : node.properties()) {
        names.add(field.getKey());
        names.addAll(fieldNames(field.getValue()));
      }
    } else if (node.isArray()) {
      node.forEach(element -> names.addAll(fieldNames(element)));
    }
    return names;
  }
}
