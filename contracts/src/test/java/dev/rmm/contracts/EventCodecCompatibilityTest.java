package dev.rmm.contracts;

import static dev.rmm.contracts.EventCodecGoldenTest.fixture;
import static dev.rmm.contracts.EventCodecGoldenTest.golden;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.EventCodec.MalformedEventException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What readers of the event log can rely on: CloudEvents 1.0 attributes, tolerance of newer
 * compatible events, and a clear refusal of anything else.
 */
class EventCodecCompatibilityTest {

  private static final ObjectMapper JSON = EventCodec.mapper();
  private static final String APPROVAL = ReleaseEvent.ApprovalGranted.TYPE;

  /** Attributes the CloudEvents 1.0 spec defines itself; every other one is an extension. */
  private static final Set<String> CLOUDEVENTS_ATTRIBUTES =
      Set.of(
          "specversion",
          "id",
          "source",
          "type",
          "datacontenttype",
          "dataschema",
          "subject",
          "time");

  @Test
  void givenANewerEventWithAnUnknownDataFieldAndExtension_whenDecoded_thenItIsStillRead()
      throws IOException {
    ObjectNode newer = goldenTree(APPROVAL);
    newer.put("tenantid", "acme");
    ((ObjectNode) newer.get("data")).put("approved_from", "web");
    ((ObjectNode) newer.get("data")).putObject("device").put("kind", "phone");

    assertThat(EventCodec.decode(JSON.writeValueAsBytes(newer))).isEqualTo(fixture(APPROVAL));
  }

  @Test
  void givenAnEventWithoutTheOptionalAttributes_whenDecoded_thenTheyAreAbsent() throws IOException {
    ObjectNode bare = goldenTree(APPROVAL);
    bare.remove(List.of("correlationid", "causationid", "traceparent", "prevhash", "actorname"));

    EventEnvelope decoded = EventCodec.decode(JSON.writeValueAsBytes(bare));

    assertThat(decoded.correlationId()).isNull();
    assertThat(decoded.causationId()).isNull();
    assertThat(decoded.traceparent()).isNull();
    assertThat(decoded.prevHash()).as("written before hash chaining").isNull();
    assertThat(decoded.actor().name()).as("falls back to the id").isEqualTo(decoded.actor().id());
  }

  @Test
  void givenAnOnBehalfApproval_whenEncoded_thenItIsTheOnBehalfGoldenFileAndReadsBack()
      throws IOException {
    EventEnvelope onBehalf = onBehalfApproval();
    byte[] golden = resource("/golden-on-behalf/release.approval-granted.v1.json");

    assertThat(JSON.readTree(EventCodec.encode(onBehalf))).isEqualTo(JSON.readTree(golden));
    assertThat(EventCodec.decode(golden)).isEqualTo(onBehalf);
    assertThat(EventCodec.decode(golden).actor().onBehalfOf())
        .isEqualTo(Actor.telegram(5012345678L, "Bob"));
  }

  @Test
  void givenAnEventWrittenBeforeOnBehalfExisted_whenDecoded_thenItsActorActedForThemself() {
    EventEnvelope old = EventCodec.decode(golden(APPROVAL));

    assertThat(old.actor().onBehalfOf()).isNull();
    assertThat(old.actor().actsOnBehalf()).isFalse();
  }

  @Test
  void givenAPolicyWrittenBeforeOnBehalfCountsExisted_whenDecoded_thenOnBehalfDoesNotCount() {
    EventEnvelope created = EventCodec.decode(golden(ReleaseEvent.ReleaseCreated.TYPE));

    assertThat(((ReleaseEvent.ReleaseCreated) created.data()).policy().onBehalfCounts()).isFalse();
  }

  private static EventEnvelope onBehalfApproval() {
    EventEnvelope own = fixture(APPROVAL);
    return new EventEnvelope(
        own.id(),
        own.releaseId(),
        own.sequence(),
        own.occurredAt(),
        Actor.adminTokenFor(5012345678L, "Bob"),
        own.correlationId(),
        own.causationId(),
        own.traceparent(),
        own.prevHash(),
        own.data());
  }

  private static byte[] resource(String path) throws IOException {
    try (var in = EventCodecCompatibilityTest.class.getResourceAsStream(path)) {
      return in.readAllBytes();
    }
  }

  @Test
  void givenAnUnknownType_whenDecoded_thenMalformedNamingTheType() throws IOException {
    ObjectNode unknown = goldenTree(APPROVAL).put("type", "release.exploded.v1");

    assertThatThrownBy(() -> EventCodec.decode(JSON.writeValueAsBytes(unknown)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessage("unknown event type 'release.exploded.v1'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json at all", "{\"specversion\": \"1.0\",", ""})
  void givenBytesThatAreNotJson_whenDecoded_thenMalformed(String text) {
    assertThatThrownBy(() -> EventCodec.decode(text.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedEventException.class)
        .message()
        .satisfiesAnyOf(
            m -> assertThat(m).startsWith("not JSON: "),
            m -> assertThat(m).isEqualTo("an event must be a JSON object"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1, 2]", "\"release.created.v1\"", "42", "null"})
  void givenJsonThatIsNotAnObject_whenDecoded_thenMalformed(String text) {
    assertThatThrownBy(() -> EventCodec.decode(text.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessage("an event must be a JSON object");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "releaseseq",
        "actorkind",
        "actorid",
        "data"
      })
  void givenARequiredAttributeMissing_whenDecoded_thenMalformedNamingIt(String attribute)
      throws IOException {
    ObjectNode incomplete = goldenTree(ReleaseEvent.ReleaseCreated.TYPE);
    incomplete.remove(attribute);

    assertThatThrownBy(() -> EventCodec.decode(JSON.writeValueAsBytes(incomplete)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("'" + attribute + "'");
  }

  @Test
  void givenAnotherCloudEventsVersion_whenDecoded_thenMalformed() throws IOException {
    ObjectNode older = goldenTree(APPROVAL).put("specversion", "0.3");

    assertThatThrownBy(() -> EventCodec.decode(JSON.writeValueAsBytes(older)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("specversion '0.3'");
  }

  @Test
  void givenADataFieldOfTheWrongShape_whenDecoded_thenMalformedNamingTheType() throws IOException {
    ObjectNode bad = goldenTree(ReleaseEvent.StatusChanged.TYPE);
    ((ObjectNode) bad.get("data")).put("to", "shipped");

    assertThatThrownBy(() -> EventCodec.decode(JSON.writeValueAsBytes(bad)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageStartingWith("bad release.status-changed.v1 event: ")
        .hasMessageContaining("unknown status 'shipped'");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.rmm.contracts.EventCodecGoldenTest#everyEventType")
  void givenAnyEvent_whenEncoded_thenItIsAValidCloudEvent(String type) {
    ObjectNode json = EventCodec.toJson(fixture(type));

    assertThat(json.get("specversion").asText()).isEqualTo("1.0");
    assertThat(json.get("id").asText()).isNotBlank();
    assertThat(json.get("source").asText()).isNotBlank().isEqualTo(EventCodec.SOURCE);
    assertThat(json.get("type").asText()).isEqualTo(type);
    assertThat(json.get("subject").asText()).isEqualTo(fixture(type).releaseId());
    assertThat(json.get("datacontenttype").asText()).isEqualTo("application/json");
    json.fieldNames()
        .forEachRemaining(
            name -> {
              if (!name.equals("data") && !CLOUDEVENTS_ATTRIBUTES.contains(name)) {
                assertThat(name)
                    .as("extension attribute")
                    .matches("^[a-z0-9]+$")
                    .hasSizeBetween(1, 20);
              }
            });
  }

  private static ObjectNode goldenTree(String type) throws IOException {
    return (ObjectNode) JSON.readTree(golden(type));
  }
}
