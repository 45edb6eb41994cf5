package dev.rmm.contracts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectReader;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The fast path of {@link EventCodec#decode}: one streaming pass over the stored bytes, the
 * envelope's attributes read as they come and {@code data} bound straight into the event's record
 * by a reader made once per type, instead of building a JSON tree and binding the record from it.
 * Profiles of the projector and the orchestrator put the tree at the top of their CPU per event.
 *
 * <p>It accepts only the shape {@link EventCodec#encode} writes and returns null for anything else
 * (an attribute that is not a string, a duplicated one, {@code data} before {@code type}, an
 * unknown type, any parse or binding error), so that the caller reads those bytes with the
 * tree-based {@link EventCodec#decodeViaTree}, which stays the definition of what an event means
 * and of every refusal. {@code StreamingEventReaderTest} checks that both agree.
 */
final class StreamingEventReader {

  private static final Map<String, ObjectReader> READERS = readers();

  // one bit per attribute: a second occurrence sends the record to the tree path
  private static final int SPECVERSION = 1;
  private static final int ID = 1 << 1;
  private static final int SOURCE = 1 << 2;
  private static final int TYPE = 1 << 3;
  private static final int SUBJECT = 1 << 4;
  private static final int TIME = 1 << 5;
  private static final int RELEASESEQ = 1 << 6;
  private static final int ACTORKIND = 1 << 7;
  private static final int ACTORID = 1 << 8;
  private static final int ACTORNAME = 1 << 9;
  private static final int BEHALF_KIND = 1 << 10;
  private static final int BEHALF_ID = 1 << 11;
  private static final int BEHALF_NAME = 1 << 12;
  private static final int CORRELATIONID = 1 << 13;
  private static final int CAUSATIONID = 1 << 14;
  private static final int TRACEPARENT = 1 << 15;
  private static final int PREVHASH = 1 << 16;
  private static final int DATA = 1 << 17;

  private static final int REQUIRED =
      SPECVERSION | ID | SOURCE | TYPE | SUBJECT | TIME | RELEASESEQ | ACTORKIND | ACTORID | DATA;

  private StreamingEventReader() {}

  /** The event, or null when these bytes must be read by the tree path. */
  static EventEnvelope read(byte[] json) {
    try (JsonParser p = EventCodec.mapper().getFactory().createParser(json)) {
      return read(p);
    } catch (Exception notTheUsualShape) {
      return null; // the tree path reads it again and says what is wrong, if anything is
    }
  }

  private static EventEnvelope read(JsonParser p) throws java.io.IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    int seen = 0;
    String specVersion = null;
    String id = null;
    String type = null;
    String subject = null;
    String time = null;
    long sequence = 0;
    String actorKind = null;
    String actorId = null;
    String actorName = null;
    String behalfKind = null;
    String behalfId = null;
    String behalfName = null;
    String correlationId = null;
    String causationId = null;
    String traceparent = null;
    String prevHash = null;
    ReleaseEvent data = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      int bit = bit(name);
      if (bit == 0) {
        p.skipChildren(); // an attribute this version does not read
        continue;
      }
      if ((seen & bit) != 0) {
        return null;
      }
      seen |= bit;
      if (bit == RELEASESEQ) {
        if (v != JsonToken.VALUE_NUMBER_INT
            || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          return null;
        }
        sequence = p.getLongValue();
        continue;
      }
      if (bit == DATA) {
        ObjectReader reader = type == null ? null : READERS.get(type);
        if (v != JsonToken.START_OBJECT || reader == null) {
          return null;
        }
        data = reader.readValue(p);
        continue;
      }
      if (v != JsonToken.VALUE_STRING) {
        return null;
      }
      String s = p.getText();
      switch (bit) {
        case SPECVERSION -> specVersion = s;
        case ID -> id = s;
        case SOURCE -> {} // required, any value
        case TYPE -> type = s;
        case SUBJECT -> subject = s;
        case TIME -> time = s;
        case ACTORKIND -> actorKind = s;
        case ACTORID -> actorId = s;
        case ACTORNAME -> actorName = s;
        case BEHALF_KIND -> behalfKind = s;
        case BEHALF_ID -> behalfId = s;
        case BEHALF_NAME -> behalfName = s;
        case CORRELATIONID -> correlationId = s;
        case CAUSATIONID -> causationId = s;
        case TRACEPARENT -> traceparent = s;
        case PREVHASH -> prevHash = s;
        default -> {
          return null;
        }
      }
    }
    if (t != JsonToken.END_OBJECT
        || (seen & REQUIRED) != REQUIRED
        || !EventCodec.SPEC_VERSION.equals(specVersion)
        || data == null) {
      return null;
    }
    Actor onBehalfOf = null;
    if ((seen & BEHALF_ID) != 0) {
      if ((seen & BEHALF_KIND) == 0) {
        return null;
      }
      onBehalfOf = new Actor(kind(behalfKind), behalfId, behalfName);
    } else if ((seen & (BEHALF_KIND | BEHALF_NAME)) != 0) {
      return null; // half an on-behalf actor: the tree path decides what it means
    }
    return new EventEnvelope(
        id,
        subject,
        sequence,
        Instant.parse(time),
        new Actor(kind(actorKind), actorId, actorName, onBehalfOf),
        correlationId,
        causationId,
        traceparent,
        prevHash,
        data);
  }

  private static Actor.Kind kind(String wire) {
    return Actor.Kind.valueOf(wire.toUpperCase(Locale.ROOT));
  }

  private static int bit(String name) {
    return switch (name) {
      case "specversion" -> SPECVERSION;
      case "id" -> ID;
      case "source" -> SOURCE;
      case "type" -> TYPE;
      case "subject" -> SUBJECT;
      case "time" -> TIME;
      case "releaseseq" -> RELEASESEQ;
      case "actorkind" -> ACTORKIND;
      case "actorid" -> ACTORID;
      case "actorname" -> ACTORNAME;
      case "onbehalfofkind" -> BEHALF_KIND;
      case "onbehalfofid" -> BEHALF_ID;
      case "onbehalfofname" -> BEHALF_NAME;
      case "correlationid" -> CORRELATIONID;
      case "causationid" -> CAUSATIONID;
      case "traceparent" -> TRACEPARENT;
      case "prevhash" -> PREVHASH;
      case "data" -> DATA;
      default -> 0;
    };
  }

  private static Map<String, ObjectReader> readers() {
    Map<String, ObjectReader> m = new HashMap<>();
    EventCodec.types().forEach((type, cls) -> m.put(type, EventCodec.mapper().readerFor(cls)));
    return Map.copyOf(m);
  }
}
