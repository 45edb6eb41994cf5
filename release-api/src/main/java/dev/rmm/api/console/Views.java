package dev.rmm.api.console;

import io.quarkus.qute.TemplateData;
import java.util.List;

/** What the console's templates show: plain values, already in the reader's language. */
public final class Views {

  private Views() {}

  /** A choice of a filter. */
  @TemplateData
  public record Option(String value, String label, boolean selected) {}

  /** One release on the board. */
  @TemplateData
  public record BoardRow(
      String id,
      String tag,
      String statusWire,
      String status,
      int approved,
      int quorum,
      String approvedBy,
      String age,
      String created,
      String runLink,
      String commit,
      String traceId,
      String traceLink) {}

  /**
   * One page of the board: its releases by service, what it says when there are none (null when
   * there are), and its pager.
   */
  @TemplateData
  public record Board(List<ServiceGroup> groups, String empty, Pager pager) {}

  /**
   * The board's pager: which releases the page shows ({@code shown}, empty on an empty page) and
   * links to the previous, next and first pages (each null when there is no such page or it is the
   * previous one).
   */
  @TemplateData
  public record Pager(String shown, String previous, String next, String first) {}

  /** The releases of one service on the board. */
  @TemplateData
  public record ServiceGroup(String service, String serviceUrl, List<BoardRow> releases) {}

  /** One line of the release page's card; {@code link} may be null. */
  @TemplateData
  public record Field(String label, String value, String link) {}

  /** One event of a release's timeline. */
  @TemplateData
  public record TimelineRow(
      long sequence, String time, String type, String actor, String traceId, String traceLink) {}

  /** The hash chain's line on the release page. */
  @TemplateData
  public record Chain(boolean intact, boolean known, String text) {}

  /** A link to the same page in another language. */
  @TemplateData
  public record LanguageLink(String label, String href, boolean current) {}

  /** One bar of the service page's chart of deploys per week (SVG user units). */
  @TemplateData
  public record Bar(int x, int y, int width, int height, String label, long count) {}

  /** One row of the service page's DORA table: a figure over 7, 30 and 90 days. */
  @TemplateData
  public record DoraRow(String label, String d7, String d30, String d90) {}

  /** One deployed tag of a service, newest first. */
  @TemplateData
  public record DeployedTag(
      String tag, String releaseId, String deployedAt, String status, boolean inProduction) {}
}
