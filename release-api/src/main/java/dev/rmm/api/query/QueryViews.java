package dev.rmm.api.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.readmodel.ReleaseView;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The query API's answers beyond one release ({@link ReleaseView}): typed views that {@link
 * ReleaseQueries} reads from the read model and {@link QueryJson} writes. Rows keep the key order
 * their clients have always seen ({@link JsonbKeyOrder}); the envelopes around them (a page, a
 * timeline, a service's tags) keep the order of their components.
 */
public final class QueryViews {

  private QueryViews() {}

  /**
   * Releases of one outcome, newest first.
   *
   * @param page the page asked for, from 1
   * @param size the most releases on a page
   * @param total the releases of the outcome (and service) on every page
   * @param pages the pages there are
   */
  public record ReleaseList(List<ReleaseView> items, int page, int size, long total, long pages) {}

  /** Every event of a release in order. */
  public record Timeline(String releaseId, List<TimelineEvent> events) {

    /** The sequence number of the newest event, 0 without one. */
    public long lastSequence() {
      return events.isEmpty() ? 0 : events.get(events.size() - 1).sequence();
    }
  }

  /**
   * One event of a release's timeline.
   *
   * @param traceId the trace of its {@code traceparent}, or null without one
   * @param data the event's data as the log holds it (its fields depend on {@code type}: the event
   *     catalogue, docs/events.md)
   */
  @JsonbKeyOrder
  public record TimelineEvent(
      long sequence,
      String eventId,
      String type,
      OffsetDateTime occurredAt,
      TimelineActor actor,
      String correlationId,
      String causationId,
      String traceparent,
      String traceId,
      @Schema(
              type = SchemaType.OBJECT,
              description = "The event's data, by its type: docs/events.md")
          JsonNode data) {}

  /**
   * Who caused an event; an action an admin token took for a user shows the user as {@code
   * on_behalf_of}.
   *
   * @param kind github, telegram, admin, system...
   */
  @JsonbKeyOrder
  public record TimelineActor(
      String kind,
      String id,
      String name,
      @JsonInclude(Include.NON_NULL) TimelineActor onBehalfOf) {}

  /**
   * A service's tags that reached production, newest first.
   *
   * @param productionTag the tag that runs in production now, or null when nothing was deployed
   */
  public record DeployedTags(String service, String productionTag, List<DeployedTag> tags) {}

  /** A tag that reached production, and the status of its release now. */
  @JsonbKeyOrder
  public record DeployedTag(
      String releaseTag, String releaseId, OffsetDateTime deployedAt, String status) {}

  /**
   * What a release may be rolled back to, by the rule of the read model's views {@code
   * rollback_targets} and {@code production_tags}.
   *
   * @param productionTag the tag that runs in production now, or null
   * @param targets the most recently deployed first
   */
  @JsonbKeyOrder
  public record RollbackTargetList(
      String releaseId,
      String service,
      String releaseTag,
      String productionTag,
      List<RollbackTarget> targets) {}

  /** A tag a release may be rolled back to: one deployed before it, never rolled back itself. */
  @JsonbKeyOrder
  public record RollbackTarget(String tag, String releaseId, OffsetDateTime deployedAt) {}
}
