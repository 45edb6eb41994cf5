package dev.rmm.contracts;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.audit.EventChain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EventCodec#decode} reads the usual shape in one streaming pass ({@link
 * StreamingEventReader}) and everything else through the JSON tree ({@link
 * EventCodec#decodeViaTree}), which defines what an event means. These tests hold the two to the
 * same answer: the same event, or the same refusal with the same message, on every golden file, the
 * fuzz seeds, void events and a set of variations of each golden event (attributes reordered,
 * missing, duplicated, null or of another JSON type; unknown attributes; truncated bytes).
 */
class StreamingEventReaderTest {

  static Stream<Path> goldenFiles() throws IOException, URISyntaxException {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("/golden", "/golden-on-behalf")) {
      try (Stream<Path> s = Files.list(Path.of(resourceUri(dir)))) {
        s.sorted().forEach(files::add);
      }
    }
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenFiles")
  void givenAGoldenFile_whenDecoded_thenTheStreamingPassReadsItAsTheTreeDoes(Path file)
      throws IOException {
    byte[] bytes = Files.readAllBytes(file);

    EventEnvelope fast = StreamingEventReader.read(bytes);

    assertThat(fast).isNotNull().isEqualTo(EventCodec.decodeViaTree(bytes));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenFiles")
  void givenAGoldenEventAsTheWriterEncodesIt_whenDecoded_thenTheStreamingPassTakesIt(Path file)
      throws IOException {
    EventEnvelope e = EventCodec.decodeViaTree(Files.readAllBytes(file));
    byte[] stored = EventCodec.encode(e);

    assertThat(StreamingEventReader.read(stored)).isEqualTo(e);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenFiles")
  void givenVariationsOfAGoldenEvent_whenDecoded_thenBothPathsGiveTheSameAnswer(Path file)
      throws IOException {
    ObjectNode golden = (ObjectNode) EventCodec.mapper().readTree(Files.readAllBytes(file));

    List<byte[]> variants = variations(golden);

    assertThat(variants).hasSizeGreaterThan(100);
    variants.forEach(StreamingEventReaderTest::assertSameAnswer);
  }

  @Test
  void givenTheFuzzSeeds_whenDecoded_thenBothPathsGiveTheSameAnswer() throws Exception {
    Path seeds = Path.of(resourceUri("/dev/rmm/contracts/fuzz/EventCodecFuzzTestInputs"));
    try (Stream<Path> s = Files.walk(seeds)) {
      List<Path> files = s.filter(Files::isRegularFile).toList();
      assertThat(files).isNotEmpty();
      for (Path f : files) {
        assertSameAnswer(Files.readAllBytes(f));
      }
    }
  }

  @Test
  void givenVoidEventsOfARelease_whenDecoded_thenBothPathsReadTheSameLinks() {
    // a release's chain and, beside it, events that lost a race or link to a head that is not the
    // release's: decoding must not depend on validity, and the rule needs sequence and prevhash
    List<EventEnvelope> chain = new ArrayList<>();
    String head = EventChain.GENESIS;
    for (EventEnvelope e : GoldenEvents.ALL) {
      EventEnvelope linked = e.chainedTo(head);
      chain.add(linked);
      head = EventChain.hash(EventCodec.encode(linked));
    }
    List<EventEnvelope> voids = new ArrayList<>();
    for (EventEnvelope e : chain) {
      voids.add(e.chainedTo(EventChain.hash(("lost a race " + e.id()).getBytes(UTF_8))));
      voids.add(e.chainedTo(null));
    }

    for (EventEnvelope e : Stream.concat(chain.stream(), voids.stream()).toList()) {
      byte[] stored = EventCodec.encode(e);
      EventEnvelope fast = StreamingEventReader.read(stored);
      assertThat(fast).isEqualTo(e).isEqualTo(EventCodec.decodeViaTree(stored));
      assertThat(fast.prevHash()).isEqualTo(e.prevHash());
      assertThat(fast.sequence()).isEqualTo(e.sequence());
    }
  }

  @Test
  void givenDataBeforeType_whenDecoded_thenTheTreeReadsItAndTheEventIsTheSame() {
    EventEnvelope e = GoldenEvents.ALL.get(0);
    ObjectNode n = EventCodec.toJson(e);
    ObjectNode reordered = JsonNodeFactory.instance.objectNode();
    reordered.set("data", n.get("data"));
    n.fields().forEachRemaining(f -> reordered.set(f.getKey(), f.getValue()));
    byte[] bytes = reordered.toString().getBytes(UTF_8);

    assertThat(StreamingEventReader.read(bytes)).isNull();
    assertThat(EventCodec.decode(bytes)).isEqualTo(e);
  }

  /** The same event or the same refusal, through {@link EventCodec#decode} and the tree. */
  private static void assertSameAnswer(byte[] bytes) {
    Object viaDecode = answer(() -> EventCodec.decode(bytes));
    Object viaTree = answer(() -> EventCodec.decodeViaTree(bytes));
    assertThat(viaDecode).as(new String(bytes, UTF_8)).isEqualTo(viaTree);
    EventEnvelope fast = StreamingEventReader.read(bytes);
    if (fast != null) {
      assertThat(fast).as(new String(bytes, UTF_8)).isEqualTo(viaTree);
    }
  }

  private static Object answer(java.util.function.Supplier<EventEnvelope> decode) {
    try {
      return decode.get();
    } catch (EventCodec.MalformedEventException e) {
      return "refused: " + e.getMessage();
    }
  }

  private static List<byte[]> variations(ObjectNode golden) {
    List<byte[]> out = new ArrayList<>();
    List<String> names = new ArrayList<>();
    golden.fieldNames().forEachRemaining(names::add);
    names.add("onbehalfofid");
    names.add("onbehalfofkind");
    names.add("onbehalfofname");
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<JsonNode> odd =
        List.of(
            f.nullNode(),
            f.numberNode(7),
            f.numberNode(7.5),
            f.numberNode(new java.math.BigInteger("123456789012345678901234567890")),
            f.textNode(""),
            f.textNode("7"),
            f.textNode("not-a-kind"),
            f.booleanNode(true),
            f.objectNode(),
            f.arrayNode());
    out.add(bytes(golden));
    out.add(golden.toPrettyString().getBytes(UTF_8));
    for (String name : names) {
      ObjectNode without = golden.deepCopy();
      without.remove(name);
      out.add(bytes(without));
      for (JsonNode v : odd) {
        ObjectNode changed = golden.deepCopy();
        changed.set(name, v);
        out.add(bytes(changed));
      }
      // the attribute twice, the second time with another value, and moved to the front
      if (golden.has(name)) {
        String json = bytesText(golden);
        out.add(
            (json.substring(0, json.length() - 1)
                    + ",\""
                    + name
                    + "\":"
                    + golden.get(name).toString()
                    + "}")
                .getBytes(UTF_8));
        out.add(
            ("{\"" + name + "\":\"x\"," + json.substring(1))
                .replaceFirst(",$", "")
                .getBytes(UTF_8));
        ObjectNode front = f.objectNode();
        front.set(name, golden.get(name));
        for (Iterator<String> it = golden.fieldNames(); it.hasNext(); ) {
          String other = it.next();
          if (!other.equals(name)) {
            front.set(other, golden.get(other));
          }
        }
        out.add(bytes(front));
      }
    }
    ObjectNode unknown = golden.deepCopy();
    unknown.set("extension", f.objectNode().put("nested", f.arrayNode().add(1).toString()));
    out.add(bytes(unknown));
    // a duplicated key inside data: the tree keeps the last value
    String json = bytesText(golden);
    int data = json.indexOf("\"data\":{");
    if (data >= 0) {
      JsonNode d = golden.get("data");
      Iterator<String> first = d.fieldNames();
      if (first.hasNext()) {
        String key = first.next();
        out.add(
            (json.substring(0, data + 8)
                    + "\""
                    + key
                    + "\":"
                    + d.get(key).toString()
                    + ","
                    + json.substring(data + 8))
                .getBytes(UTF_8));
      }
    }
    out.add((json + " trailing").getBytes(UTF_8));
    out.add(("[" + json + "]").getBytes(UTF_8));
    byte[] whole = bytes(golden);
    for (int cut = 0; cut < whole.length; cut += 7) {
      out.add(java.util.Arrays.copyOf(whole, cut));
    }
    return out;
  }

  private static byte[] bytes(JsonNode n) {
    return bytesText(n).getBytes(UTF_8);
  }

  private static String bytesText(JsonNode n) {
    try {
      return EventCodec.mapper().writeValueAsString(n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static java.net.URI resourceUri(String name) throws URISyntaxException {
    return Objects.requireNonNull(StreamingEventReaderTest.class.getResource(name), name).toURI();
  }
}
