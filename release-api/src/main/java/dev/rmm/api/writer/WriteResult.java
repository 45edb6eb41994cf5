package dev.rmm.api.writer;

import dev.rmm.contracts.Decision;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseState;
import java.util.List;

/**
 * The outcome of one command: the decision, the release's state after it, and the events that Kafka
 * has acknowledged.
 */
public record WriteResult(Decision decision, ReleaseState state, List<EventEnvelope> appended) {}
