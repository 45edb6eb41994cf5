package dev.rmm.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * What a pipeline says about a release when it creates it.
 *
 * @param service the service being released (e.g. {@code name-authorization})
 * @param tag the pushed version tag (e.g. {@code v1.2.3})
 * @param initiator the GitHub login that pushed the tag
 * @param githubRunId the GitHub Actions run id
 * @param githubRunLink link to the run, shown on the card
 * @param ref the git ref ({@code refs/tags/v1.2.3})
 * @param repository {@code owner/name}
 * @param commitSha the commit the tag points at
 * @param initiatorLogin the GitHub login that started the run as the API authenticated it: the
 *     {@code actor} claim of the pipeline's GitHub OIDC token (issue 15 point 3). It decides who
 *     started the release over {@code initiator}, which is free text the pipeline reports. Null
 *     when the pipeline used a stored token (then {@code initiator} decides) and on every release
 *     created before it was recorded; written only when set.
 */
public record ReleaseSpec(
    String service,
    String tag,
    String initiator,
    String githubRunId,
    String githubRunLink,
    String ref,
    String repository,
    String commitSha,
    @JsonInclude(JsonInclude.Include.NON_NULL) String initiatorLogin) {

  /** What a pipeline said, with no authenticated login (a stored token, or an older release). */
  public ReleaseSpec(
      String service,
      String tag,
      String initiator,
      String githubRunId,
      String githubRunLink,
      String ref,
      String repository,
      String commitSha) {
    this(service, tag, initiator, githubRunId, githubRunLink, ref, repository, commitSha, null);
  }

  /**
   * The release id is derived from service, tag and run id, so creating the same release twice (a
   * retried request) always names the same release, on any API instance.
   */
  public String releaseId() {
    return releaseId(service, tag, githubRunId);
  }

  /** The same release with the tag pointing at {@code sha} (a moved tag). */
  public ReleaseSpec withCommitSha(String sha) {
    return new ReleaseSpec(
        service, tag, initiator, githubRunId, githubRunLink, ref, repository, sha, initiatorLogin);
  }

  /**
   * The GitHub login of the person who started the release: the authenticated one when the API
   * knows it, else the reported one. The authenticated login wins: a pipeline's text can neither
   * hide its actor from the initiator rule nor bar an innocent approver through it.
   */
  public String startedBy() {
    return initiatorLogin != null ? initiatorLogin : initiator;
  }

  public static String releaseId(String service, String tag, String githubRunId) {
    String key = service + '\n' + tag + '\n' + githubRunId;
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
