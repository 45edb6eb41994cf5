package dev.rmm.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A field a command must carry, filled. Jackson alone would bind a missing text as null and a
 * missing number as 0, and the decider would decide on them; {@link CommandCodec} checks these
 * first and refuses the command with the field's name (the messages are the ones the field-by-field
 * codec gave, which senders and tests know).
 */
record RequiredField(String name, Kind kind) {

  enum Kind {
    /** Non-blank text (a string, or an enum's wire value). */
    TEXT,
    /** A number that fits a long (a Telegram user id); text with digits is not one. */
    NUMBER,
    /** A JSON object (a release spec, a policy). */
    OBJECT
  }

  static RequiredField text(String name) {
    return new RequiredField(name, Kind.TEXT);
  }

  /**
   * Per command class (each a record), its components marked {@code @JsonProperty(required =
   * true)}.
   */
  static Map<Class<? extends ReleaseCommand>, List<RequiredField>> of(
      List<Class<? extends ReleaseCommand>> classes) {
    var snakeCase = (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;
    Map<Class<? extends ReleaseCommand>, List<RequiredField>> m = new LinkedHashMap<>();
    for (Class<? extends ReleaseCommand> c : classes) {
      List<RequiredField> fields = new ArrayList<>();
      for (RecordComponent rc : c.getRecordComponents()) {
        // a component's annotation lands on its accessor (JsonProperty cannot target components)
        JsonProperty p = rc.getAccessor().getAnnotation(JsonProperty.class);
        if (p != null && p.required()) {
          fields.add(new RequiredField(snakeCase.translate(rc.getName()), kindOf(rc.getType())));
        }
      }
      m.put(c, List.copyOf(fields));
    }
    return Map.copyOf(m);
  }

  private static Kind kindOf(Class<?> type) {
    if (type == String.class || type.isEnum()) {
      return Kind.TEXT;
    }
    if (type == long.class || type == int.class) {
      return Kind.NUMBER;
    }
    return Kind.OBJECT;
  }

  /** The field's value, or IllegalArgumentException naming it. */
  JsonNode check(JsonNode n) {
    JsonNode v = n.get(name);
    switch (kind) {
      case TEXT -> {
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
          throw new IllegalArgumentException("missing '" + name + "'");
        }
      }
      case NUMBER -> {
        if (v == null || !v.canConvertToLong()) {
          throw new IllegalArgumentException("missing or non-numeric " + name);
        }
      }
      case OBJECT -> {
        if (v == null || !v.isObject()) {
          throw new IllegalArgumentException("missing '" + name + "' (a JSON object)");
        }
      }
    }
    return v;
  }
}
