package dev.rmm.api.console;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.console.ConsoleTexts.Language;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * What every console page shares: the reader's language, the header (languages, who is logged in,
 * the logout form's CSRF value), the answer's security headers and the cookies.
 */
@ApplicationScoped
public class ConsolePages {

  /** Remembers the language chosen with {@code ?lang=} (not a secret). */
  static final String LANG_COOKIE = "rmm_console_lang";

  /** How times are shown: UTC, as the API gives them. */
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  /**
   * Only this service's own scripts and styles; Telegram's widget (script and frame) is the one
   * exception, for the login page when it is configured.
   */
  private static final String CSP =
      "default-src 'self'; script-src 'self' https://telegram.org; frame-src"
          + " https://oauth.telegram.org; img-src 'self' data: https://t.me https://*.telegram.org;"
          + " style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none';"
          + " form-action 'self'";

  private final Optional<String> traceUrl;

  ConsolePages(RmmApiConfig config) {
    this.traceUrl = config.console().traceUrl().filter(u -> !u.isBlank());
  }

  /** The reader's language ({@link Language#pick}). */
  Language language(HttpHeaders headers, UriInfo uri) {
    var cookie = headers.getCookies().get(LANG_COOKIE);
    return Language.pick(
        uri.getQueryParameters().getFirst("lang"),
        cookie == null ? null : cookie.getValue(),
        headers.getHeaderString(HttpHeaders.ACCEPT_LANGUAGE));
  }

  /** The session of a logged-in reader, or null on the login and refusal pages. */
  static SessionCookies.Session session(SecurityIdentity identity) {
    return identity == null || identity.isAnonymous()
        ? null
        : identity.getAttribute(ConsoleRoles.SESSION);
  }

  /** {@code template} with what the shared header needs. */
  TemplateInstance page(
      TemplateInstance template,
      Language language,
      UriInfo uri,
      SessionCookies.Session session,
      String title) {
    return template
        .data("t", ConsoleTexts.of(language))
        .data("lang", language.tag())
        .data("title", title)
        .data("languages", languages(language, uri))
        .data("user", session == null ? null : session.name())
        .data("csrf", session == null ? null : session.csrf());
  }

  /** An HTML answer with the console's security headers; remembers a language asked for. */
  Response.ResponseBuilder html(int status, String body, UriInfo uri) {
    Response.ResponseBuilder r =
        Response.status(status)
            .type("text/html;charset=UTF-8")
            .entity(body)
            .header("Content-Security-Policy", CSP)
            .header("X-Content-Type-Options", "nosniff")
            .header("Referrer-Policy", "same-origin")
            .header("Cache-Control", "no-store");
    String asked = uri.getQueryParameters().getFirst("lang");
    if ("ru".equalsIgnoreCase(asked) || "en".equalsIgnoreCase(asked)) {
      r.cookie(
          new NewCookie.Builder(LANG_COOKIE)
              .value(asked.toLowerCase())
              .path(ConsoleAuthMechanism.ROOT)
              .maxAge((int) Duration.ofDays(365).toSeconds())
              .sameSite(NewCookie.SameSite.LAX)
              .build());
    }
    return r;
  }

  /** The session cookie: HttpOnly, SameSite=Strict, Secure over HTTPS, ending with the session. */
  static NewCookie sessionCookie(String value, Duration ttl, UriInfo uri) {
    return new NewCookie.Builder(SessionCookies.NAME)
        .value(value)
        .path(ConsoleAuthMechanism.ROOT)
        .httpOnly(true)
        .secure("https".equalsIgnoreCase(uri.getBaseUri().getScheme()))
        .sameSite(NewCookie.SameSite.STRICT)
        .maxAge((int) ttl.toSeconds())
        .build();
  }

  /** A cookie that ends the one of {@code name} at once. */
  static NewCookie expired(String name, String path) {
    return new NewCookie.Builder(name)
        .value("")
        .path(path)
        .httpOnly(true)
        .sameSite(NewCookie.SameSite.STRICT)
        .maxAge(0)
        .build();
  }

  /** The link to a trace when RMM_CONSOLE_TRACE_URL is set, else null. */
  String traceLink(String traceId) {
    if (traceId == null || traceId.isBlank() || traceUrl.isEmpty()) {
      return null;
    }
    return traceUrl.get().replace("{trace_id}", traceId);
  }

  /** Links to this very page (its filters kept) in each language. */
  private static List<Views.LanguageLink> languages(Language current, UriInfo uri) {
    return List.of(Language.RU, Language.EN).stream()
        .map(
            l -> {
              // a login's answer (a refusal) links to the login page, not to the form's target
              var base =
                  uri.getRequestUri().getPath().startsWith(ConsoleAuthMechanism.LOGIN)
                      ? UriBuilder.fromPath(ConsoleAuthMechanism.LOGIN)
                      : UriBuilder.fromUri(uri.getRequestUri());
              var u = base.replaceQueryParam("lang", l.tag()).build();
              return new Views.LanguageLink(
                  l.name(), u.getRawPath() + "?" + u.getRawQuery(), l == current);
            })
        .toList();
  }
}
