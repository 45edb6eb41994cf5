package dev.rmm.api.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The console's session cookie: signed, tamper-evident, expiring. */
class SessionCookiesTest {

  private static final Instant NOW = Instant.parse("2026-12-02T01:00:00Z");

  private final byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private final SessionCookies cookies = new SessionCookies(key);

  @Test
  void givenAnIssuedCookie_whenVerified_thenItIsTheSessionWithItsNameAndCsrfValue() {
    String c = cookies.issue("telegram:1001", "Алиса QA", NOW.plus(Duration.ofHours(8)));

    SessionCookies.Session s = cookies.verify(c, NOW).orElseThrow();

    assertThat(s.subject()).isEqualTo("telegram:1001");
    assertThat(s.name()).isEqualTo("Алиса QA");
    assertThat(s.expires()).isEqualTo(NOW.plus(Duration.ofHours(8)));
    assertThat(s.csrf()).hasSizeGreaterThan(20);
    // a cookie value carries only cookie-safe characters
    assertThat(c).matches("[A-Za-z0-9._-]+");
  }

  @Test
  void givenTwoSessions_whenIssued_thenTheirCsrfValuesDiffer() {
    Instant end = NOW.plusSeconds(60);
    assertThat(cookies.verify(cookies.issue("a", "a", end), NOW).orElseThrow().csrf())
        .isNotEqualTo(cookies.verify(cookies.issue("a", "a", end), NOW).orElseThrow().csrf());
  }

  @Test
  void givenAnyByteChanged_whenVerified_thenItIsNoSession() {
    String c = cookies.issue("telegram:1001", "Alice", NOW.plusSeconds(3600));
    for (int i = 0; i < c.length(); i++) {
      char[] chars = c.toCharArray();
      chars[i] = chars[i] == 'A' ? 'B' : 'A';
      assertThat(cookies.verify(new String(chars), NOW)).as("changed at %d", i).isEmpty();
    }
  }

  @Test
  void givenAnotherSubjectSpliced_whenVerified_thenItIsNoSession() {
    String c = cookies.issue("telegram:1001", "Alice", NOW.plusSeconds(3600));
    String[] parts = c.split("\\.");
    parts[1] =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("token:admin".getBytes(StandardCharsets.UTF_8));

    assertThat(cookies.verify(String.join(".", parts), NOW)).isEmpty();
  }

  @Test
  void givenAnotherKey_whenVerified_thenItIsNoSession() {
    String c = cookies.issue("telegram:1001", "Alice", NOW.plusSeconds(3600));
    byte[] other = Arrays.copyOf(key, key.length);
    other[0] ^= 1;

    assertThat(new SessionCookies(other).verify(c, NOW)).isEmpty();
  }

  @Test
  void givenAnExpiredSession_whenVerified_thenItIsNoSession() {
    String c = cookies.issue("telegram:1001", "Alice", NOW.plusSeconds(3600));

    assertThat(cookies.verify(c, NOW.plusSeconds(3599))).isPresent();
    assertThat(cookies.verify(c, NOW.plusSeconds(3600))).isEmpty();
  }

  @Test
  void givenGarbage_whenVerified_thenItIsNoSession() {
    for (String g : new String[] {null, "", ".", "v1", "v1.a.b.c.d.e", "x.zz", "a.b.c.d.e.f.g"}) {
      assertThat(cookies.verify(g, NOW)).as(g).isEmpty();
    }
  }

  @Test
  void givenAShortKey_whenMade_thenItIsRefused() {
    assertThatThrownBy(() -> new SessionCookies(new byte[16]))
        .hasMessageContaining("at least 32 bytes");
  }

  @Test
  void givenALoginFormValue_whenSignedAndChecked_thenOnlyItsOwnSignatureMatches() {
    String nonce = SessionCookies.randomToken();
    String sig = cookies.sign("login-form", nonce);

    assertThat(cookies.signed("login-form", nonce, sig)).isTrue();
    assertThat(cookies.signed("login-form", SessionCookies.randomToken(), sig)).isFalse();
    assertThat(cookies.signed("other", nonce, sig)).isFalse();
    assertThat(cookies.signed("login-form", nonce, null)).isFalse();
  }
}
