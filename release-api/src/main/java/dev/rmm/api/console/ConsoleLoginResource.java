package dev.rmm.api.console;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.console.ConsoleTexts.Language;
import dev.rmm.contracts.TextRules;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Logging in to the console: with the admin API token (a form, for local use) or with the Telegram
 * Login Widget ({@link TelegramLogin}), for the people the policy knows ({@link ConsoleAccess}). A
 * login makes a signed session cookie ({@link SessionCookies}). Every refusal is a 403 page that
 * says why, and a log line that says who and from where, never a token or a hash.
 *
 * <p>CSRF: the cookies are SameSite=Strict; every POST must come from this origin (its {@code
 * Origin} header, when the browser sends one) and carry a form value only this service could have
 * put there: for the login form a value signed against a random one in a short-lived cookie (the
 * logout form, {@link ConsoleResource#logout}, carries the session's own CSRF value).
 */
@Path(ConsoleAuthMechanism.LOGIN)
@Produces(MediaType.TEXT_HTML)
public class ConsoleLoginResource {

  private static final Logger LOG = Logger.getLogger(ConsoleLoginResource.class);

  /** The login form's random value, matched by its signature in the form. */
  static final String LOGIN_COOKIE = "rmm_console_login";

  private static final String LOGIN_PURPOSE = "login-form";

  /** The fields the Telegram Login Widget sends; nothing else is part of its signed data. */
  private static final List<String> TELEGRAM_FIELDS =
      List.of("id", "first_name", "last_name", "username", "photo_url", "auth_date", "hash");

  private final ConsoleSessions sessions;
  private final ConsoleAccess access;
  private final ConsolePages pages;
  private final RefusalPage refusal;
  private final Optional<TelegramLogin> telegram;
  private final Optional<String> botUsername;

  @Location("console/login.html")
  Template login;

  @Location("console/entered.html")
  Template entered;

  ConsoleLoginResource(
      ConsoleSessions sessions,
      ConsoleAccess access,
      ConsolePages pages,
      RefusalPage refusal,
      RmmApiConfig config) {
    this.sessions = sessions;
    this.access = access;
    this.pages = pages;
    this.refusal = refusal;
    this.telegram =
        config.console().telegramBotToken().filter(t -> !t.isBlank()).map(TelegramLogin::new);
    this.botUsername = config.console().telegramBotUsername().filter(u -> !u.isBlank());
  }

  /** The login page: the token form, and Telegram's widget when a bot is configured. */
  @GET
  @PermitAll
  public Response loginPage(@Context HttpHeaders headers, @Context UriInfo uri) {
    Language lang = pages.language(headers, uri);
    String nonce = SessionCookies.randomToken();
    String body =
        pages
            .page(login.instance(), lang, uri, null, ConsoleTexts.word(lang, "login_title"))
            .data("loginCsrf", sessions.cookies().sign(LOGIN_PURPOSE, nonce))
            .data("botUsername", telegram.isPresent() ? botUsername.orElse(null) : null)
            .render();
    return pages
        .html(200, body, uri)
        .cookie(
            new NewCookie.Builder(LOGIN_COOKIE)
                .value(nonce)
                .path(ConsoleAuthMechanism.LOGIN)
                .httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT)
                .maxAge((int) Duration.ofMinutes(30).toSeconds())
                .build())
        .build();
  }

  /** The token form: the admin API token opens a session. */
  @POST
  @Path("/token")
  @PermitAll
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response tokenLogin(
      @FormParam("token") String token,
      @FormParam("csrf") String csrf,
      @Context HttpHeaders headers,
      @Context UriInfo uri,
      @Context HttpServerRequest request) {
    Language lang = pages.language(headers, uri);
    var nonce = headers.getCookies().get(LOGIN_COOKIE);
    if (!sameOrigin(headers)
        || nonce == null
        || !sessions.cookies().signed(LOGIN_PURPOSE, nonce.getValue(), csrf)) {
      LOG.warnf(
          "Console: a token login from %s refused: the form is stale or from another origin (%s)",
          request.remoteAddress(),
          TextRules.escape(String.valueOf(headers.getHeaderString("Origin"))));
      return refuse(lang, uri, ConsoleTexts.word(lang, "why_form"));
    }
    Optional<String> kind = token == null ? Optional.empty() : access.tokenKind(token);
    if (kind.isEmpty() || !"admin".equals(kind.get())) {
      LOG.warnf(
          "Console: a token login from %s refused: %s",
          request.remoteAddress(),
          kind.isEmpty() ? "a token rmm does not accept" : "a repository's token");
      return refuse(
          lang, uri, ConsoleTexts.word(lang, kind.isEmpty() ? "why_token" : "why_pipeline_token"));
    }
    LOG.infof("Console: login with the admin API token from %s", request.remoteAddress());
    return entered("token:admin", "admin (API token)", uri, lang, false);
  }

  /**
   * Where the Telegram Login Widget sends the browser ({@code data-auth-url}), with the user's data
   * and Telegram's signature as query parameters.
   */
  @GET
  @Path("/telegram")
  @PermitAll
  public Response telegramLogin(
      @Context HttpHeaders headers, @Context UriInfo uri, @Context HttpServerRequest request) {
    Language lang = pages.language(headers, uri);
    if (telegram.isEmpty()) {
      return refuse(lang, uri, ConsoleTexts.word(lang, "why_telegram_off"));
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String f : TELEGRAM_FIELDS) {
      String v = uri.getQueryParameters().getFirst(f);
      if (v != null) {
        fields.put(f, v);
      }
    }
    TelegramLogin.Result r = telegram.get().check(fields, sessions.now());
    if (!r.accepted()) {
      LOG.warnf(
          "Console: a Telegram login from %s refused (claimed user %s): %s",
          request.remoteAddress(),
          fields.getOrDefault("id", "none").replaceAll("[^0-9-]", "?"),
          r.refusal());
      return refuse(lang, uri, ConsoleTexts.word(lang, "why_telegram", r.refusal()));
    }
    if (!access.mayEnter(r.userId())) {
      LOG.warnf(
          "Console: a Telegram login from %s refused: user %d is not an approver, admin or"
              + " viewer of any service",
          request.remoteAddress(), r.userId());
      return refuse(lang, uri, ConsoleTexts.word(lang, "why_unknown_user", r.userId()));
    }
    LOG.infof("Console: Telegram user %d logged in from %s", r.userId(), request.remoteAddress());
    // Telegram signs whatever the user calls themselves: a bidi override or a control character
    // in it would make the greeting (and the cookie) say something else; shown as U+XXXX instead
    String name = r.name().isBlank() ? String.valueOf(r.userId()) : TextRules.escape(r.name());
    return entered("telegram:" + r.userId(), name, uri, lang, true);
  }

  /**
   * The session begins. After Telegram's widget the browser arrives from telegram.org: a redirect
   * would still count as that site's navigation, and a SameSite=Strict cookie would not be sent
   * with it; so a page of ours moves on to the board.
   */
  private Response entered(
      String subject, String name, UriInfo uri, Language lang, boolean viaPage) {
    NewCookie session =
        ConsolePages.sessionCookie(sessions.issue(subject, name), sessions.ttl(), uri);
    NewCookie loginForm = ConsolePages.expired(LOGIN_COOKIE, ConsoleAuthMechanism.LOGIN);
    if (viaPage) {
      return pages
          .html(200, entered.data("lang", lang.tag()).render(), uri)
          .cookie(session, loginForm)
          .build();
    }
    return Response.seeOther(URI.create("/console/board")).cookie(session, loginForm).build();
  }

  private Response refuse(Language lang, UriInfo uri, String reason) {
    return refusal.of(lang, uri, reason);
  }

  /**
   * Whether a POST comes from this origin: its {@code Origin} header, when there is one, names the
   * host the request was sent to. (Browsers send it with every POST; a client without one has no
   * cookie of another site to abuse.)
   */
  static boolean sameOrigin(HttpHeaders headers) {
    String origin = headers.getHeaderString("Origin");
    if (origin == null) {
      return true;
    }
    String host = headers.getHeaderString(HttpHeaders.HOST);
    try {
      URI o = URI.create(origin);
      String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
      return host != null && authority != null && authority.equalsIgnoreCase(host);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
