package dev.rmm.api.rollback;

import dev.rmm.api.query.QueryViews.RollbackTarget;
import dev.rmm.api.query.QueryViews.RollbackTargetList;
import dev.rmm.api.query.ReleaseQueries;
import dev.rmm.api.writer.WriteUnavailableException;
import dev.rmm.contracts.RollbackTargets;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Looks up what a release may be rolled back to when a rollback request arrives (over HTTP or as a
 * command read from Kafka), for the decider to check the target against. The writer cannot know it:
 * the log is keyed by release, so the other releases of the service live on other partitions. The
 * read model knows the service's whole history, by the rule written once in its views.
 *
 * <p>The read model lags the log by a moment. That does not matter for what the rule needs: the
 * earlier deploys are old, and a release the read model does not show as deployed yet counts as
 * deployed after all of them (the writer's own state decides whether it is deployed). Only a
 * rollback of another release of the same service finished within that moment could be missed. When
 * the read model cannot be reached, the request fails ({@link WriteUnavailableException}, answered
 * 503 or "unavailable"): a rollback is never allowed blindly.
 */
@ApplicationScoped
public class RollbackTargetLookup {

  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final ReleaseQueries queries;

  RollbackTargetLookup(ReleaseQueries queries) {
    this.queries = queries;
  }

  /**
   * The release's targets; none allowed when the read model does not know the release. Completes
   * exceptionally with {@link WriteUnavailableException} when the read model cannot be read.
   */
  public CompletableFuture<RollbackTargets> of(String releaseId) {
    return queries
        .rollbackTargets(releaseId)
        .ifNoItem()
        .after(TIMEOUT)
        .fail()
        .map(RollbackTargetLookup::from)
        .onFailure()
        .transform(
            e ->
                new WriteUnavailableException(
                    "the rollback targets of release "
                        + releaseId
                        + " could not be looked up in the read model ("
                        + e.getMessage()
                        + "), so the rollback is not decided"))
        .subscribeAsCompletionStage();
  }

  static RollbackTargets from(RollbackTargetList found) {
    if (found == null) {
      return new RollbackTargets(List.of(), null);
    }
    return new RollbackTargets(
        found.targets().stream().map(RollbackTarget::tag).toList(), found.productionTag());
  }
}
