package dev.rmm.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Reads and writes {@link EventEnvelope}s as CloudEvents 1.0 JSON (structured mode). The event's
 * stable type name is the CloudEvents {@code type}; the release id is the {@code subject}; rmm's
 * own attributes are CloudEvents extensions (lower-case letters only, as the spec requires). Field
 * names in {@code data} are snake_case. Unknown fields are ignored on read, so older readers accept
 * newer, compatible events.
 */
public final class EventCodec {

  public static final String SPEC_VERSION = "1.0";
  public static final String SOURCE = "/rmm/release-api";

  private static final Map<String, Class<? extends ReleaseEvent>> TYPES = typeRegistry();

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private EventCodec() {}

  /** The mapper used for event data; share it for anything that must match the wire format. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Every known event type name with its class. */
  public static Map<String, Class<? extends ReleaseEvent>> types() {
    return TYPES;
  }

  public static byte[] encode(EventEnvelope e) {
    try {
      return MAPPER.writeValueAsBytes(toJson(e));
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode event " + e.id(), ex);
    }
  }

  public static ObjectNode toJson(EventEnvelope e) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("specversion", SPEC_VERSION);
    n.put("id", e.id());
    n.put("source", SOURCE);
    n.put("type", e.type());
    n.put("subject", e.releaseId());
    n.put("time", e.occurredAt().toString());
    n.put("datacontenttype", "application/json");
    n.put("schemaversion", EventEnvelope.SCHEMA_VERSION);
    n.put("releaseseq", e.sequence());
    n.put("actorkind", e.actor().kind().name().toLowerCase(Locale.ROOT));
    n.put("actorid", e.actor().id());
    n.put("actorname", e.actor().name());
    Actor behalf = e.actor().onBehalfOf();
    if (behalf != null) {
      n.put("onbehalfofkind", behalf.kind().name().toLowerCase(Locale.ROOT));
      n.put("onbehalfofid", behalf.id());
      n.put("onbehalfofname", behalf.name());
    }
    putIfPresent(n, "correlationid", e.correlationId());
    putIfPresent(n, "causationid", e.causationId());
    putIfPresent(n, "traceparent", e.traceparent());
    putIfPresent(n, "prevhash", e.prevHash());
    n.set("data", MAPPER.valueToTree(e.data()));
    return n;
  }

  /**
   * Decodes one event.
   *
   * <p>Every reader of the log decodes every record, so this is the readers' hottest code. An event
   * in the shape this codec writes (string attributes, an integer {@code releaseseq}, {@code type}
   * before {@code data}) is read in one streaming pass straight into its typed record ({@link
   * StreamingEventReader}); anything else (another order, a duplicated or oddly typed attribute, a
   * refusal) is read again by the tree-based {@link #decodeViaTree}, which is the definition: both
   * give the same event, and every refusal and its message come from the tree path.
   *
   * <p>A creation's policy and its service, repository and initiator are shared with every equal
   * one decoded before ({@link SharedValues}): readers keep many releases of a service in memory.
   *
   * @throws MalformedEventException when the bytes are not an rmm event this version understands
   */
  public static EventEnvelope decode(byte[] json) {
    EventEnvelope fast = StreamingEventReader.read(json);
    return SharedValues.of(fast != null ? fast : decodeViaTree(json));
  }

  /**
   * Decodes one event through a JSON tree: the reference reading of an event, kept for every input
   * the streaming pass declines ({@link #decode}).
   *
   * @throws MalformedEventException when the bytes are not an rmm event this version understands
   */
  static EventEnvelope decodeViaTree(byte[] json) {
    JsonNode n;
    try {
      n = MAPPER.readTree(json);
    } catch (IOException ex) {
      throw new MalformedEventException("not JSON: " + ex.getMessage(), ex);
    }
    if (n == null || !n.isObject()) {
      throw new MalformedEventException("an event must be a JSON object", null);
    }
    String specVersion = text(n, "specversion");
    if (!SPEC_VERSION.equals(specVersion)) {
      throw new MalformedEventException(
          "unsupported specversion '" + specVersion + "'; rmm reads CloudEvents " + SPEC_VERSION,
          null);
    }
    text(n, "source"); // required by CloudEvents; any source is accepted
    String type = text(n, "type");
    Class<? extends ReleaseEvent> cls = TYPES.get(type);
    if (cls == null) {
      throw new MalformedEventException("unknown event type '" + type + "'", null);
    }
    try {
      ReleaseEvent data = MAPPER.treeToValue(present(n, "data"), cls);
      Actor actor =
          new Actor(
              Actor.Kind.valueOf(text(n, "actorkind").toUpperCase(Locale.ROOT)),
              text(n, "actorid"),
              n.path("actorname").asText(null),
              onBehalfOf(n));
      return new EventEnvelope(
          text(n, "id"),
          text(n, "subject"),
          present(n, "releaseseq").asLong(),
          Instant.parse(text(n, "time")),
          actor,
          n.path("correlationid").asText(null),
          n.path("causationid").asText(null),
          n.path("traceparent").asText(null),
          n.path("prevhash").asText(null),
          data);
    } catch (IOException | RuntimeException ex) {
      throw new MalformedEventException("bad " + type + " event: " + ex.getMessage(), ex);
    }
  }

  /** The person the actor acted for: absent on events written before on-behalf was recorded. */
  private static Actor onBehalfOf(JsonNode n) {
    if (!n.has("onbehalfofid")) {
      return null;
    }
    return new Actor(
        Actor.Kind.valueOf(text(n, "onbehalfofkind").toUpperCase(Locale.ROOT)),
        text(n, "onbehalfofid"),
        n.path("onbehalfofname").asText(null));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new MalformedEventException("missing attribute '" + field + "'", null);
    }
    return v.asText();
  }

  private static JsonNode present(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new MalformedEventException("missing attribute '" + field + "'", null);
    }
    return v;
  }

  private static void putIfPresent(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  private static Map<String, Class<? extends ReleaseEvent>> typeRegistry() {
    return TypeRegistry.of(ReleaseEvent.ALL);
  }

  /** The bytes are not an event this version of rmm can read. */
  public static final class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
