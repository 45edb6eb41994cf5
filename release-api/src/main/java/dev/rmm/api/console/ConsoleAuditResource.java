package dev.rmm.api.console;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.console.ConsoleTexts.Language;
import dev.rmm.api.query.ReleaseQueries;
import dev.rmm.api.query.ReleaseQueries.EventPosition;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.TextRules.Kind;
import dev.rmm.contracts.export.CloudEventsExport;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The console's audit desk (issue 16): the audit page (every release as of a moment, and the whole
 * verification report, from the log; {@link AuditPage}) and the download of one release's history
 * as CloudEvents JSON lines. Same sessions and roles as the other pages ({@link ConsoleRoles});
 * both are read-only GETs, so no form value is needed. Both read Kafka with a blocking consumer, so
 * the methods are blocking (Quarkus REST runs them on a worker thread).
 */
@Path("/console")
public class ConsoleAuditResource {

  private static final Logger LOG = Logger.getLogger(ConsoleAuditResource.class);

  /** JSON Lines (one JSON value per line), as the ndjson tools name it. */
  static final String JSON_LINES = "application/x-ndjson";

  private static final Duration READ_MODEL_WAIT = Duration.ofSeconds(10);

  private final ConsolePages pages;
  private final AuditLog auditLog;
  private final LogRecords records;
  private final ReleaseQueries queries;
  private final SecurityIdentity identity;
  private final long maxEvents;
  private final int maxRows;

  @Location("console/audit.html")
  Template audit;

  @Location("console/release.html")
  Template release;

  ConsoleAuditResource(
      ConsolePages pages,
      AuditLog auditLog,
      LogRecords records,
      ReleaseQueries queries,
      SecurityIdentity identity,
      RmmApiConfig config) {
    this.pages = pages;
    this.auditLog = auditLog;
    this.records = records;
    this.queries = queries;
    this.identity = identity;
    this.maxEvents = config.console().auditMaxEvents();
    this.maxRows = config.console().auditMaxRows();
  }

  /**
   * Every release's state as of {@code at} (now when blank), optionally of one service, and the
   * verification report of the whole log; a moment that is not one is a 400 page that says so.
   * {@code limit} reads fewer records than the configured most (never more).
   */
  @GET
  @Path("/audit")
  @Produces(MediaType.TEXT_HTML)
  @RolesAllowed(ConsoleRoles.VIEWER)
  public Response audit(
      @QueryParam("at") String at,
      @QueryParam("service") String service,
      @QueryParam("limit") Long limit,
      @Context HttpHeaders headers,
      @Context UriInfo uri) {
    Language lang = pages.language(headers, uri);
    long max = limit == null || limit <= 0 ? maxEvents : Math.min(limit, maxEvents);
    String wanted = service == null || service.isBlank() ? null : service.strip();
    Optional<Instant> moment = AuditPage.moment(at, Instant.now());
    TemplateInstance page =
        pages
            .page(
                audit.instance(),
                lang,
                uri,
                ConsolePages.session(identity),
                ConsoleTexts.word(lang, "audit_title"))
            // echoed into the form: a control or bidi character is shown as U+XXXX
            .data("service", wanted == null ? "" : TextRules.escape(wanted));
    String error = null;
    if (moment.isEmpty()) {
      error = ConsoleTexts.word(lang, "audit_bad_moment", TextRules.escape(at));
    } else if (wanted != null && TextRules.check("service", wanted, Kind.LINE).isPresent()) {
      error = ConsoleTexts.word(lang, "audit_no_service");
    }
    if (error != null) {
      page.data("at", at == null ? "" : TextRules.escape(at))
          .data("error", error)
          .data("shown", false);
      return pages.html(400, page.render(), uri).build();
    }
    page.data("at", AuditPage.formValue(moment.get()));
    try {
      AuditPage.build(auditLog, new AuditPage.Query(moment.get(), wanted), max, maxRows, lang)
          .forEach(page::data);
    } catch (RuntimeException e) {
      LOG.warnf("Console: the audit page could not read the log: %s", e.toString());
      page.data("error", ConsoleTexts.word(lang, "chain_unavailable")).data("shown", false);
      return pages.html(503, page.render(), uri).build();
    }
    page.data("error", null).data("shown", true);
    return pages.html(200, page.render(), uri).build();
  }

  /**
   * One release's history as CloudEvents JSON lines (the CDEvents vocabulary where it has the
   * event): the same lines as {@code deploy/local/replay export}, made by the same {@link
   * CloudEventsExport} from the release's records as stored in the log. The read model only says
   * where they are (partition and offset); an event that is not the next link of the chain there is
   * left out, as replay leaves out void events.
   */
  @GET
  @Path("/releases/{id}/events.jsonl")
  @Produces({JSON_LINES, MediaType.TEXT_HTML})
  @RolesAllowed(ConsoleRoles.VIEWER)
  public Response download(
      @PathParam("id") String id, @Context HttpHeaders headers, @Context UriInfo uri) {
    Language lang = pages.language(headers, uri);
    if (TextRules.check("release_id", id, Kind.LINE).isPresent()) {
      return notFound(id, lang, uri);
    }
    List<EventPosition> positions = queries.eventPositions(id).await().atMost(READ_MODEL_WAIT);
    if (positions.isEmpty()) {
      return notFound(id, lang, uri);
    }
    Map<Long, LogRecords.Found> found = records.read(positions);
    List<byte[]> stored = new ArrayList<>(positions.size());
    for (EventPosition p : positions) {
      LogRecords.Found f = found.get(p.offset());
      if (f != null && id.equals(f.key())) {
        stored.add(f.value());
      }
    }
    StringBuilder body = new StringBuilder();
    CloudEventsExport.lines(id, stored).forEach(l -> body.append(l).append('\n'));
    return Response.ok(body.toString().getBytes(StandardCharsets.UTF_8))
        .type(JSON_LINES)
        .header("Content-Disposition", "attachment; filename=\"" + fileName(id) + "\"")
        .header("X-Content-Type-Options", "nosniff")
        .header("Cache-Control", "no-store")
        .build();
  }

  /** A file name made of the release id's safe characters (ids are UUIDs; anything else is _). */
  static String fileName(String id) {
    return id.replaceAll("[^A-Za-z0-9._-]", "_") + ".events.jsonl";
  }

  private Response notFound(String id, Language lang, UriInfo uri) {
    Map<String, Object> data = new HashMap<>();
    data.put("partsUrl", "");
    data.put("downloadUrl", "");
    data.put("service", "");
    data.put("tag", id);
    data.put("fields", List.of());
    data.put("events", List.of());
    data.put("chain", new Views.Chain(false, false, ConsoleTexts.word(lang, "not_found")));
    TemplateInstance page =
        pages.page(
            release.instance(),
            lang,
            uri,
            ConsolePages.session(identity),
            ConsoleTexts.word(lang, "not_found"));
    data.forEach(page::data);
    return pages.html(404, page.render(), uri).build();
  }
}
