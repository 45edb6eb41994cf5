package dev.rmm.api.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.rmm.contracts.EventCodec;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes the query API's answers (typed views of the read model) as the JSON the API has always
 * answered: snake_case names like every rmm wire format ({@link EventCodec#mapper()}), the read
 * model's contracts types shaped by {@link ReadModelMixIns}, keys of {@link JsonbKeyOrder} views in
 * Postgres' order, and a column's time as Postgres writes a {@code timestamptz} in JSON ({@code
 * 2026-11-02T10:01:00.5+00:00}: microseconds without trailing zeros, the offset with a colon).
 * Times inside the projector's JSON columns keep their own format ({@link InstantText}).
 */
public final class QueryJson {

  private static final ObjectMapper MAPPER =
      EventCodec.mapper()
          .copy()
          .registerModule(
              ReadModelMixIns.register(new SimpleModule("rmm-query-answers"))
                  .addSerializer(OffsetDateTime.class, new ColumnTime())
                  .setSerializerModifier(new PostgresKeyOrder()));

  private QueryJson() {}

  /** The answer's JSON. */
  public static String write(Object answer) {
    try {
      return MAPPER.writeValueAsString(answer);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "a query answer (" + answer.getClass().getSimpleName() + ") could not be written", e);
    }
  }

  /** A {@code timestamptz} column's value, written as Postgres writes it in JSON. */
  static final class ColumnTime extends StdSerializer<OffsetDateTime> {

    private static final DateTimeFormatter POSTGRES =
        new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .appendPattern("HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
            .appendOffset("+HH:MM:ss", "+00:00")
            .toFormatter();

    ColumnTime() {
      super(OffsetDateTime.class);
    }

    @Override
    public void serialize(OffsetDateTime value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(POSTGRES.format(value));
    }
  }

  /**
   * A time inside one of the projector's JSON columns ({@code approved_list}, {@code break_glass},
   * ...), which it writes as {@code Instant.toString()} ({@code 2026-11-02T10:21:30.250Z}).
   */
  static final class InstantText extends StdSerializer<OffsetDateTime> {

    InstantText() {
      super(OffsetDateTime.class);
    }

    @Override
    public void serialize(OffsetDateTime value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(value.toInstant().toString());
    }
  }

  /** Orders the properties of {@link JsonbKeyOrder} views as Postgres' jsonb orders keys. */
  private static final class PostgresKeyOrder extends BeanSerializerModifier {

    private static final Comparator<BeanPropertyWriter> JSONB =
        Comparator.<BeanPropertyWriter>comparingInt(p -> p.getName().length())
            .thenComparing(BeanPropertyWriter::getName);

    @Override
    public List<BeanPropertyWriter> orderProperties(
        SerializationConfig config, BeanDescription bean, List<BeanPropertyWriter> properties) {
      if (!bean.getClassAnnotations().has(JsonbKeyOrder.class)) {
        return properties;
      }
      List<BeanPropertyWriter> sorted = new ArrayList<>(properties);
      sorted.sort(JSONB);
      return sorted;
    }
  }
}
