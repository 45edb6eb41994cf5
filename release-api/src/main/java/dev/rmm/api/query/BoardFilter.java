package dev.rmm.api.query;

import java.time.Instant;

/**
 * What the web console's board asks of the read model: each field narrows the releases, null leaves
 * it open.
 *
 * @param service one service
 * @param status one status (its wire value)
 * @param outcome one outcome (active, successful, failed, cancelled)
 * @param from created at or after
 * @param to created before
 * @param search a part of the tag, or the start of the commit sha
 * @param limit the most releases answered
 */
public record BoardFilter(
    String service,
    String status,
    String outcome,
    Instant from,
    Instant to,
    String search,
    int limit) {}
