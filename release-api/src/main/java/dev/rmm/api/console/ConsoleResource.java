package dev.rmm.api.console;

import dev.rmm.api.console.ConsoleTexts.Language;
import dev.rmm.api.policy.PolicyRegistry;
import dev.rmm.api.problem.InvalidRequestException;
import dev.rmm.api.query.BoardQueries;
import dev.rmm.api.query.QueryViews.Timeline;
import dev.rmm.api.query.ReleaseQueries;
import dev.rmm.api.query.ReleaseQueries.EventPosition;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.TextRules.Kind;
import dev.rmm.contracts.readmodel.ReleaseView;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * The console's pages, read-only: the board of releases and a release's page, each with a part that
 * the page re-reads when the read model moves ({@code /changes}, server-sent events). Every method
 * needs a console session ({@link ConsoleRoles#VIEWER}); the login is {@link ConsoleLoginResource}.
 * The data comes from the same read-model queries as the HTTP API ({@link ReleaseQueries}); the
 * board's own, one statement per page, from {@link BoardQueries}.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleResource {

  private static final Logger LOG = Logger.getLogger(ConsoleResource.class);

  private final ReleaseQueries queries;
  private final BoardQueries boardQueries;
  private final ServiceNames serviceNames;
  private final ConsolePages pages;
  private final ReadModelChanges changes;
  private final LogRecords log;
  private final RefusalPage refusal;
  private final SecurityIdentity identity;
  private final PolicyRegistry policies;

  @Location("console/board.html")
  Template board;

  @Location("console/board-rows.html")
  Template boardRows;

  @Location("console/release.html")
  Template release;

  @Location("console/release-parts.html")
  Template releaseParts;

  @Location("console/service.html")
  Template servicePage;

  @Location("console/service-parts.html")
  Template serviceParts;

  ConsoleResource(
      ReleaseQueries queries,
      BoardQueries boardQueries,
      ServiceNames serviceNames,
      ConsolePages pages,
      ReadModelChanges changes,
      LogRecords log,
      RefusalPage refusal,
      SecurityIdentity identity,
      PolicyRegistry policies) {
    this.queries = queries;
    this.boardQueries = boardQueries;
    this.serviceNames = serviceNames;
    this.pages = pages;
    this.changes = changes;
    this.log = log;
    this.refusal = refusal;
    this.identity = identity;
    this.policies = policies;
  }

  @GET
  @RolesAllowed(ConsoleRoles.VIEWER)
  public Response root() {
    return Response.seeOther(URI.create("/console/board")).build();
  }

  /**
   * Ends the session: the cookie is dropped. The form must come from this origin and carry the
   * session's own CSRF value.
   */
  @POST
  @Path("/logout")
  @RolesAllowed(ConsoleRoles.VIEWER)
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response logout(
      @FormParam("csrf") String csrf, @Context HttpHeaders headers, @Context UriInfo uri) {
    SessionCookies.Session s = session();
    if (!ConsoleLoginResource.sameOrigin(headers)
        || s == null
        || csrf == null
        || !s.csrf().equals(csrf)) {
      Language lang = pages.language(headers, uri);
      return refusal.of(lang, uri, ConsoleTexts.word(lang, "why_form"));
    }
    return Response.seeOther(URI.create(ConsoleAuthMechanism.LOGIN))
        .cookie(ConsolePages.expired(SessionCookies.NAME, ConsoleAuthMechanism.ROOT))
        .build();
  }

  /**
   * The board: releases grouped by service, the active ones unless the filters say otherwise, one
   * page of {@link BoardQuery#PAGE_SIZE} at a time ({@code ?page=}). A render costs one read-model
   * statement for the page; the service filter's names are kept by {@link ServiceNames}. A filter
   * or page that is not one is a 400 page that says why.
   */
  @GET
  @Path("/board")
  @RolesAllowed(ConsoleRoles.VIEWER)
  public Uni<Response> board(
      @QueryParam("service") String service,
      @QueryParam("status") String status,
      @QueryParam("outcome") String outcome,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("q") String q,
      @QueryParam("page") String page,
      @Context HttpHeaders headers,
      @Context UriInfo uri) {
    Language lang = pages.language(headers, uri);
    BoardQuery query;
    try {
      query = BoardQuery.of(service, status, outcome, from, to, q, page);
    } catch (BoardQuery.Refused e) {
      return serviceNames
          .get()
          .map(
              names -> {
                TemplateInstance refused =
                    boardPage(lang, uri, ConsoleTexts.word(lang, "board_any"), names, null)
                        .data("from", TextRules.escape(from == null ? "" : from))
                        .data("to", TextRules.escape(to == null ? "" : to))
                        .data("q", TextRules.escape(q == null ? "" : q))
                        .data("statuses", statuses(lang, null))
                        .data("outcomes", outcomes(lang, null))
                        .data("error", e.text(lang))
                        .data("board", null)
                        .data("rowsUrl", "");
                return pages.html(400, refused.render(), uri).build();
              });
    }
    return Uni.combine()
        .all()
        .unis(boardQueries.page(query.filter()), serviceNames.get())
        .asTuple()
        .map(
            t -> {
              String heading =
                  query.outcome().equals(Outcome.ACTIVE.wire())
                      ? ConsoleTexts.word(lang, "board")
                      : ConsoleTexts.word(lang, "board_any");
              TemplateInstance shown =
                  boardPage(lang, uri, heading, t.getItem2(), query.service())
                      .data(
                          "board", BoardPage.board(query, t.getItem1(), lang, Instant.now(), pages))
                      .data("statuses", statuses(lang, query.status()))
                      .data("outcomes", outcomes(lang, query.outcome()))
                      .data("from", query.from() == null ? "" : query.from())
                      .data("to", query.to() == null ? "" : query.to())
                      .data("q", query.q() == null ? "" : query.q())
                      .data("error", null)
                      .data("rowsUrl", "/console/board/rows" + query.queryString());
              return pages.html(200, shown.render(), uri).build();
            });
  }

  /** The board's template with the shared header, its heading and the service filter's names. */
  private TemplateInstance boardPage(
      Language lang, UriInfo uri, String heading, List<String> services, String selected) {
    return pages
        .page(board.instance(), lang, uri, session(), heading)
        .data("heading", heading)
        .data("services", options(services, selected));
  }

  /** The board's page of releases alone: what the board page re-reads when the read model moves. */
  @GET
  @Path("/board/rows")
  @RolesAllowed(ConsoleRoles.VIEWER)
  public Uni<Response> boardRows(
      @QueryParam("service") String service,
      @QueryParam("status") String status,
      @QueryParam("outcome") String outcome,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("q") String q,
      @QueryParam("page") String page,
      @Context HttpHeaders headers,
      @Context UriInfo uri) {
    Language lang = pages.language(headers, uri);
    BoardQuery query;
    try {
      query = BoardQuery.of(service, status, outcome, from, to, q, page);
    } catch (BoardQuery.Refused e) {
      // the part alone says why, where its rows would be (the page's script shows only a 200)
      Views.Board refused =
          new Views.Board(List.of(), e.text(lang), new Views.Pager("", null, null, null));
      return Uni.createFrom().item(rowsAnswer(400, refused, lang, uri));
    }
    return boardQueries
        .page(query.filter())
        .map(
            rows ->
                rowsAnswer(
                    200, BoardPage.board(query, rows, lang, Instant.now(), pages), lang, uri));
  }

  private Response rowsAnswer(int status, Views.Board shown, Language lang, UriInfo uri) {
    String body = boardRows.data("t", ConsoleTexts.of(lang)).data("board", shown).render();
    return pages.html(status, body, uri).build();
  }

  /** A release: its card, the chain status of its events in the log, and its timeline. */
  @GET
  @Path("/releases/{id}")
  @RolesAllowed(ConsoleRoles.VIEWER)
  public Uni<Response> release(
      @PathParam("id") String id, @Context HttpHeaders headers, @Context UriInfo uri) {
    checkId(id);
    Language lang = pages.language(headers, uri);
    return releaseData(id, lang)
        .map(
            data ->
                data == null
                    ? notFound(id, lang, uri)
                    : page(
                        release,
                        lang,
                        uri,
                        (String) data.get("tag"),
                        data,
                        "/console/releases/" + urlPart(id) + "/parts"));
  }

  /** The release page's live part: card, chain status and timeline. */
  @GET
  @Path("/releases/{id}/parts")
  @RolesAllowed(ConsoleRoles.VIEWER)
  public Uni<Response> releaseParts(
      @PathParam("id") String id, @Context HttpHeaders headers, @Context UriInfo uri) {
    checkId(id);
    Language lang = pages.language(headers, uri);
    return releaseData(id, lang)
        .map(data -> data == null ? notFound(id, lang, uri) : part(releaseParts, lang, uri, data));
  }

  /**
   * A service: the tags it deployed (the one in production now marked), deploys per week as an SVG
   * chart, and its DORA figures over 7, 30 and 90 days.
   */
  @GET
  @Path("/services/{service}")
  @RolesAllowed(ConsoleRoles.VIEWER)
  public Uni<Response> service(
      @PathParam("service") String service, @Context HttpHeaders headers, @Context UriInfo uri) {
    checkId(service);
    Language lang = pages.language(headers, uri);
    return serviceData(service, lang)
        .map(
            data ->
                page(
                    servicePage,
                    lang,
                    uri,
                    service,
                    data,
                    "/console/services/" + urlPart(service) + "/parts"));
  }

  /** The service page's live part. */
  @GET
  @Path("/services/{service}/parts")
  @RolesAllowed(ConsoleRoles.VIEWER)
  public Uni<Response> serviceParts(
      @PathParam("service") String service, @Context HttpHeaders headers, @Context UriInfo uri) {
    checkId(service);
    Language lang = pages.language(headers, uri);
    return serviceData(service, lang).map(data -> part(serviceParts, lang, uri, data));
  }

  /**
   * A live page (release or service): {@code template} with the shared header, {@code data}, and
   * the URL its script re-reads the live part from.
   */
  private Response page(
      Template template,
      Language lang,
      UriInfo uri,
      String title,
      Map<String, Object> data,
      String partsUrl) {
    TemplateInstance page = pages.page(template.instance(), lang, uri, session(), title);
    data.forEach(page::data);
    page.data("partsUrl", partsUrl);
    return pages.html(200, page.render(), uri).build();
  }

  /** A live page's part alone, as its script re-reads it: {@code template} with {@code data}. */
  private Response part(Template template, Language lang, UriInfo uri, Map<String, Object> data) {
    TemplateInstance part = template.data("t", ConsoleTexts.of(lang));
    data.forEach(part::data);
    return pages.html(200, part.render(), uri).build();
  }

  private Uni<Map<String, Object>> serviceData(String service, Language lang) {
    return Uni.combine()
        .all()
        .unis(queries.deployedTags(service, null), queries.dora(service))
        .asTuple()
        .map(
            t -> {
              Map<String, Object> data = new java.util.HashMap<>();
              data.put("service", service);
              data.put("production", t.getItem1().productionTag());
              data.put("tags", ServicePage.tags(t.getItem1(), lang));
              data.put("bars", ServicePage.weeklyDeploys(t.getItem1(), Instant.now()));
              data.put("dora", ServicePage.dora(t.getItem2(), lang));
              data.put("width", ServicePage.WIDTH);
              data.put("height", ServicePage.HEIGHT);
              data.put("chartHeight", ServicePage.HEIGHT + 16);
              return data;
            });
  }

  /**
   * The read model's position whenever it moves (and every 15 s), as server-sent events: the live
   * pages re-read their parts when it changes.
   */
  @GET
  @Path("/changes")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.TEXT_PLAIN)
  @RolesAllowed(ConsoleRoles.VIEWER)
  public Multi<String> changes() {
    return changes.stream().map(String::valueOf);
  }

  /** What the release page shows, or null when the read model does not know the release. */
  private Uni<Map<String, Object>> releaseData(String id, Language lang) {
    Uni<ReleaseView> r = queries.release(id);
    Uni<Timeline> timeline = queries.timeline(id);
    return Uni.combine()
        .all()
        .unis(r, timeline)
        .asTuple()
        .flatMap(
            t -> {
              ReleaseView rel = t.getItem1();
              if (rel == null) {
                return Uni.createFrom().<Map<String, Object>>nullItem();
              }
              List<Views.Field> fields = ReleasePage.fields(rel, lang, Instant.now());
              fields.add(PolicyLine.field(t.getItem2(), policies.version(), lang));
              return chain(id, lang)
                  .map(
                      chain ->
                          Map.<String, Object>of(
                              "service",
                              rel.serviceName(),
                              "tag",
                              rel.releaseTag(),
                              "fields",
                              fields,
                              "events",
                              ReleasePage.timeline(t.getItem2(), pages, lang),
                              "chain",
                              chain,
                              "downloadUrl",
                              "/console/releases/" + urlPart(id) + "/events.jsonl"));
            });
  }

  /**
   * The chain status of the release: its events read back from the log where the read model says
   * they are, checked by {@link ChainStatus} (on a worker thread: the log is read with a blocking
   * consumer). A log that cannot be read now is said so on the page, not a failed page.
   */
  private Uni<Views.Chain> chain(String id, Language lang) {
    return Uni.combine()
        .all()
        .unis(queries.eventPositions(id), queries.headHash(id))
        .asTuple()
        .emitOn(Infrastructure.getDefaultWorkerPool())
        .map(
            t -> {
              List<EventPosition> positions = t.getItem1();
              Map<Long, LogRecords.Found> found = log.read(positions);
              List<ChainStatus.Stored> stored = new ArrayList<>();
              for (EventPosition p : positions) {
                LogRecords.Found f = found.get(p.offset());
                stored.add(
                    new ChainStatus.Stored(
                        p.sequence(),
                        p.eventId(),
                        log.topic() + "-" + p.partition() + "@" + p.offset(),
                        f == null ? null : f.key(),
                        f == null ? null : f.value()));
              }
              ChainStatus s = ChainStatus.of(id, stored, t.getItem2());
              if (!s.intact()) {
                LOG.warnf("Console: release %s's hash chain is broken: %s", id, s.problem());
              }
              return s.intact()
                  ? new Views.Chain(
                      true,
                      true,
                      "✅ " + ConsoleTexts.word(lang, "chain_ok") + " " + s.verifiedUpTo())
                  : new Views.Chain(
                      false,
                      true,
                      "❌ " + ConsoleTexts.word(lang, "chain_broken") + ": " + s.problem());
            })
        .onFailure()
        .recoverWithItem(
            f -> {
              LOG.warnf("Console: the log could not be read for release %s: %s", id, f.toString());
              return new Views.Chain(false, false, ConsoleTexts.word(lang, "chain_unavailable"));
            });
  }

  private Response notFound(String id, Language lang, UriInfo uri) {
    String body =
        pages
            .page(release.instance(), lang, uri, session(), ConsoleTexts.word(lang, "not_found"))
            .data("partsUrl", "")
            .data("downloadUrl", "")
            .data("service", "")
            .data("tag", id)
            .data("fields", List.of())
            .data("events", List.of())
            .data("chain", new Views.Chain(false, false, ConsoleTexts.word(lang, "not_found")))
            .render();
    return pages.html(404, body, uri).build();
  }

  private SessionCookies.Session session() {
    return ConsolePages.session(identity);
  }

  private static void checkId(String id) {
    TextRules.check("release_id", id, Kind.LINE)
        .ifPresent(
            p -> {
              throw InvalidRequestException.validation(p);
            });
  }

  static String urlPart(String id) {
    return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  private static List<Views.Option> options(List<String> values, String selected) {
    return values.stream().map(v -> new Views.Option(v, v, v.equals(selected))).toList();
  }

  private static List<Views.Option> statuses(Language lang, String selected) {
    return ConsoleTexts.statuses(lang).stream()
        .map(s -> new Views.Option(s[0], s[1], s[0].equals(selected)))
        .toList();
  }

  private static List<Views.Option> outcomes(Language lang, String selected) {
    List<Views.Option> out = new ArrayList<>();
    for (Outcome o : Outcome.values()) {
      out.add(
          new Views.Option(
              o.wire(), ConsoleTexts.word(lang, "outcome_" + o.wire()), o.wire().equals(selected)));
    }
    return out;
  }
}
