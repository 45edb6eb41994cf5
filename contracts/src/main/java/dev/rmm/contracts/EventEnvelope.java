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
 * @param prevHash the SHA-256 (hex) of the previous event of this release as it is stored in the
 *     log, or {@link dev.rmm.contracts.audit.EventChain#GENESIS} for its first event: the link that
 *     chains a release's events so that an altered or missing event can be found (see {@link
 *     dev.rmm.contracts.audit.LogVerifier}); null only on events written before chaining existed
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
    String prevHash,
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

  /** An event without a hash link (as written before chaining existed, or not yet chained). */
  public EventEnvelope(
      String id,
      String releaseId,
      long sequence,
      Instant occurredAt,
      Actor actor,
      String correlationId,
      String causationId,
      String traceparent,
      ReleaseEvent data) {
    this(
        id,
        releaseId,
        sequence,
        occurredAt,
        actor,
        correlationId,
        causationId,
        traceparent,
        null,
        data);
  }

  /** This event linked to the previous one of its release. */
  public EventEnvelope chainedTo(String previousHash) {
    return copy(previousHash, data);
  }

  /**
   * This event with other data and the rest of its envelope unchanged: a reader that shares or
   * rewrites an event's payload (and a test that varies a golden event) keeps its id, position,
   * actor, trace and hash link.
   */
  public EventEnvelope withData(ReleaseEvent newData) {
    return copy(prevHash, newData);
  }

  private EventEnvelope copy(String hash, ReleaseEvent newData) {
    return new EventEnvelope(
        id,
        releaseId,
        sequence,
        occurredAt,
        actor,
        correlationId,
        causationId,
        traceparent,
        hash,
        newData);
  }

  /** The 32-hex-digit W3C trace id of {@link #traceparent()}, or null. */
  public String traceId() {
    return traceIdOf(traceparent);
  }

  /**
   * The trace id of a W3C {@code traceparent} ({@code 00-<32 hex trace id>-<16 hex span
   * id>-<flags>}), or null when there is none, it is malformed, or it is the invalid all-zero id.
   */
  public static String traceIdOf(String traceparent) {
    if (traceparent == null) {
      return null;
    }
    String[] parts = traceparent.strip().split("-");
    if (parts.length < 4 || !parts[1].matches("[0-9a-f]{32}")) {
      return null;
    }
    return parts[1].equals("0".repeat(32)) ? null : parts[1];
  }

  public String type() {
    return data.type();
  }
}
