package dev.rmm.api.release;

/**
 * What a pipeline sends to create a release. All fields are required; {@code github_run_id} may be
 * sent as a number or a string.
 */
public record CreateReleaseRequest(
    String service,
    String tag,
    String initiator,
    String githubRunId,
    String githubRunLink,
    String ref,
    String repository,
    String commitSha) {}
