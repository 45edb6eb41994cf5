package dev.rmm.api.query;

import java.time.Instant;

/**
 * What the web console's board asks of the read model: each field narrows the releases, null leaves
 * it open; {@code offset} and {@code limit} cut one page out of them (in the board's order).
 *
 * @param service one service
 * @param status one status (its wire value)
 * @param outcome one outcome (active, successful, failed, cancelled)
 * @param from created at or after
 * @param to created before
 * @param search a part of the tag, or the start of the commit sha
 * @param offset how many releases of the board's order come before the page
 * @param limit the most releases answered
 */
public record BoardFilter(
    String service,
    String status,
    String outcome,
    Instant from,
    Instant to,
    String search,
    long offset,
    int limit) {}
