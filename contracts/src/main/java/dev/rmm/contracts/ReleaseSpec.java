package dev.rmm.contracts;

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
 */
public record ReleaseSpec(
    String service,
    String tag,
    String initiator,
    String githubRunId,
    String githubRunLink,
    String ref,
    String repository,
    String commitSha) {

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
        service, tag, initiator, githubRunId, githubRunLink, ref, repository, sha);
  }

  public static String releaseId(String service, String tag, String githubRunId) {
    String key = service + '\n' + tag + '\n' + githubRunId;
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
