package dev.rmm.contracts;

import java.time.Instant;
import java.util.Objects;

/**
 * One event in the release log with everything an auditor needs around it. On the wire it is a
 * CloudEvents 1.0 structured-mode JSON document (see {@link EventCodec}).
 *
 * @param id unique event id (a UUID)
 * @param releaseId the release (the Kafka key and the CloudEvents {@code subject})
 * @param sequence 1 for the release's first event, then +1 per event, without gaps
 * @param occurredAt when the writer decided it
 * @param actor who caused it
 * @param correlationId ties together everything one user action or pipeline run caused
 * @param causationId the id of the command or request that caused it
 * @param traceparent W3C trace context of the request that caused it; may be null
 * @param data the event itself
 */
public record EventEnvelope(
    String id,
    String releaseId,
    long sequence,
    Instant occurredAt,
    Actor actor,
    String correlationId,
    String causationId,
    String traceparent,
    ReleaseEvent data) {

  /** The version of the envelope and of every event shape it carries today. */
  public static final int SCHEMA_VERSION = 1;

  public EventEnvelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(releaseId, "releaseId");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(data, "data");
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence starts at 1, was " + sequence);
    }
  }

  public String type() {
    return data.type();
  }
}
