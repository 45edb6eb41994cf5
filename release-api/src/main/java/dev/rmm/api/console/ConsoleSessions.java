package dev.rmm.api.console;

import dev.rmm.api.RmmApiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The console's sessions: signed with RMM_CONSOLE_COOKIE_KEY, or with a key made at start when it
 * is unset (the key itself is never logged).
 */
@ApplicationScoped
public class ConsoleSessions {

  private static final Logger LOG = Logger.getLogger(ConsoleSessions.class);

  private final SessionCookies cookies;
  private final Duration ttl;
  private final Clock clock = Clock.systemUTC();

  ConsoleSessions(RmmApiConfig config) {
    Optional<String> key = config.console().cookieKey().filter(k -> !k.isBlank());
    if (key.isPresent()) {
      this.cookies = new SessionCookies(Base64.getDecoder().decode(key.get().strip()));
    } else {
      LOG.info(
          "RMM_CONSOLE_COOKIE_KEY is not set: console sessions are signed with a key made at"
              + " this start and end when release-api restarts");
      this.cookies = new SessionCookies(SessionCookies.randomKey());
    }
    this.ttl = config.console().sessionTtl();
  }

  /** The cookie value of a new session. */
  public String issue(String subject, String name) {
    return cookies.issue(subject, name, now().plus(ttl));
  }

  public Optional<SessionCookies.Session> verify(String value) {
    return cookies.verify(value, now());
  }

  /** How long a session lasts. */
  public Duration ttl() {
    return ttl;
  }

  /** The signer, for the login form's CSRF pair. */
  SessionCookies cookies() {
    return cookies;
  }

  public Instant now() {
    return clock.instant();
  }
}
