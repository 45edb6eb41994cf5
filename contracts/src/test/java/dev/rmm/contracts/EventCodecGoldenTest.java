package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Events are a public contract: each type's JSON is pinned by {@code golden/<type>.json}. A change
 * that breaks one of these tests changes the wire format: give the event a new type version instead
 * of editing the golden file.
 */
class EventCodecGoldenTest {

  static Stream<String> everyEventType() {
    return ReleaseEvent.ALL.stream().map(EventCodecGoldenTest::typeName);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyEventType")
  void givenAFixedEnvelope_whenEncoded_thenTheJsonIsTheGoldenFile(String type) throws IOException {
    JsonNode encoded = EventCodec.mapper().readTree(EventCodec.encode(fixture(type)));

    assertThat(encoded).isEqualTo(EventCodec.mapper().readTree(golden(type)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyEventType")
  void givenTheGoldenFile_whenDecoded_thenItIsTheFixedEnvelope(String type) {
    assertThat(EventCodec.decode(golden(type))).isEqualTo(fixture(type));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyEventType")
  void givenAnEnvelope_whenEncodedAndDecoded_thenItIsUnchanged(String type) {
    EventEnvelope envelope = fixture(type);

    assertThat(EventCodec.decode(EventCodec.encode(envelope))).isEqualTo(envelope);
  }

  @Test
  void givenTheRegistry_thenEveryEventClassIsKnownByItsTypeName() {
    assertThat(EventCodec.types().keySet())
        .containsExactlyInAnyOrderElementsOf(everyEventType().toList());
    ReleaseEvent.ALL.forEach(c -> assertThat(EventCodec.types().get(typeName(c))).isEqualTo(c));
  }

  @Test
  void givenTheGoldenFolder_thenItHoldsOneFilePerEventTypeAndNothingElse()
      throws IOException, URISyntaxException {
    Path folder = Path.of(EventCodecGoldenTest.class.getResource("/golden").toURI());
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(everyEventType().map(t -> t + ".json").toList());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyEventType")
  void givenAGoldenFile_thenItSpeaksTheWireVocabularyNotJava(String type) throws IOException {
    String json = new String(golden(type), StandardCharsets.UTF_8);
    JsonNode data = EventCodec.mapper().readTree(json).get("data");

    assertThat(json).doesNotContain("dev.rmm", "java.", "Release", "Approval", "@class");
    assertThat(fieldNames(data)).allMatch(n -> n.matches("[a-z][a-z0-9_]*"), "snake_case");
    for (String status : List.of("from", "to")) {
      if (data.has(status)) {
        assertThat(ReleaseStatus.wireValues()).contains(data.get(status).asText());
      }
    }
  }

  static EventEnvelope fixture(String type) {
    EventEnvelope envelope = GoldenEvents.BY_TYPE.get(type);
    if (envelope == null) {
      fail("no fixed envelope for event type %s: add one to GoldenEvents", type);
    }
    return envelope;
  }

  static byte[] golden(String type) {
    String path = "/golden/" + type + ".json";
    try (InputStream in = EventCodecGoldenTest.class.getResourceAsStream(path)) {
      if (in == null) {
        fail(
            "no golden file for event type %s: add src/test/resources%s (encode the fixed"
                + " envelope once, check it by eye, then never regenerate it)",
            type, path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path, e);
    }
  }

  private static String typeName(Class<? extends ReleaseEvent> eventClass) {
    try {
      return (String) eventClass.getField("TYPE").get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(eventClass + " has no TYPE constant", e);
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
