package dev.rmm.api.query;

import java.time.Instant;

/**
 * One release as the web console's board shows it: the read model's columns the board needs, the
 * approvers' names already joined, and the trace id of the release's newest event.
 *
 * @param approved how many approvals the release has
 * @param approvedBy who approved, by name (by Telegram id when there is no name), in order; empty
 *     when nobody has
 * @param traceId the trace id of the newest event's traceparent, null without one
 */
public record BoardRelease(
    String releaseId,
    String service,
    String tag,
    String status,
    int approved,
    String approvedBy,
    int quorum,
    Instant createdAt,
    String runLink,
    String commitSha,
    String traceId) {}
