package dev.rmm.contracts;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.util.Locale;

/**
 * A command's {@code actor} on the wire: {@code {"kind": "telegram", "id": "1001", "name": "Alice",
 * "on_behalf_of": {...}}}, the kind in lower case and {@code on_behalf_of} only when the actor acts
 * for somebody. Events carry the actor as CloudEvents attributes instead ({@link EventCodec}), so
 * this shape belongs to the commands' mapper alone ({@link #module()}).
 */
final class CommandActorJson {

  private CommandActorJson() {}

  /** Binds {@link Actor} in this shape. */
  static SimpleModule module() {
    return new SimpleModule("rmm-command-actor")
        .addSerializer(Actor.class, new Writer())
        .addDeserializer(Actor.class, new Reader());
  }

  /**
   * Reads an actor; its kind in any letter case, its name as text whatever JSON value it is.
   *
   * @throws IllegalArgumentException naming the missing field, or the unknown kind
   */
  static Actor read(JsonNode a) {
    return new Actor(kind(a), text(a, "id"), a.path("name").asText(null), onBehalfOf(a));
  }

  /** The person the actor acts for, or null (absent in commands of older senders). */
  private static Actor onBehalfOf(JsonNode a) {
    JsonNode b = a.path("on_behalf_of");
    if (b.isMissingNode() || b.isNull()) {
      return null;
    }
    // one level only: whatever a sender nests deeper is not read
    return new Actor(kind(b), text(b, "id"), b.path("name").asText(null));
  }

  private static Actor.Kind kind(JsonNode a) {
    return Actor.Kind.valueOf(text(a, "kind").toUpperCase(Locale.ROOT));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException("missing '" + field + "'");
    }
    return v.asText();
  }

  private static final class Writer extends JsonSerializer<Actor> {
    @Override
    public void serialize(Actor actor, JsonGenerator g, SerializerProvider provider)
        throws IOException {
      g.writeStartObject();
      writeFields(actor, g);
      if (actor.onBehalfOf() != null) {
        g.writeObjectFieldStart("on_behalf_of");
        writeFields(actor.onBehalfOf(), g);
        g.writeEndObject();
      }
      g.writeEndObject();
    }

    private static void writeFields(Actor actor, JsonGenerator g) throws IOException {
      g.writeStringField("kind", actor.kind().name().toLowerCase(Locale.ROOT));
      g.writeStringField("id", actor.id());
      g.writeStringField("name", actor.name());
    }
  }

  private static final class Reader extends JsonDeserializer<Actor> {
    @Override
    public Actor deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return read(ctxt.readTree(p));
    }
  }
}
