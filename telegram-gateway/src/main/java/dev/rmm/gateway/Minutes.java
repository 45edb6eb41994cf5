package dev.rmm.gateway;

import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.gateway.Texts.Language;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * A number of minutes in words, for the texts that name a policy's break-glass window ("confirm it
 * within 5 minutes"). Russian agrees the noun with the number, in the accusative the texts use ("за
 * 1 минуту", "за 2 минуты", "за 5 минут", "за 21 минуту", "за 11 минут"); a hard-coded "15 минут"
 * read wrong as soon as the window became configurable.
 */
public final class Minutes {

  private Minutes() {}

  /**
   * {@code minutes} with its noun: "1 минуту", "3 минуты", "15 минут"; "1 minute", "15 minutes".
   */
  public static String of(long minutes, Language lang) {
    if (lang == Language.EN) {
      return minutes + (minutes == 1 ? " minute" : " minutes");
    }
    long lastTwo = Math.abs(minutes) % 100;
    long last = lastTwo % 10;
    String noun;
    if (last == 1 && lastTwo != 11) {
      noun = "минуту";
    } else if (last >= 2 && last <= 4 && (lastTwo < 12 || lastTwo > 14)) {
      noun = "минуты";
    } else {
      noun = "минут";
    }
    return minutes + " " + noun;
  }

  /** A window in words, rounded to whole minutes (never below one). */
  public static String of(Duration window, Language lang) {
    return of(Math.max(1, Math.round(window.toSeconds() / 60.0)), lang);
  }

  /**
   * The window a break-glass request was given: its {@code expires_at} less the time it was asked
   * for (the decider sets one from the other with the policy's window, at the time its event
   * carries); the default when either is unknown (a request decided without a time).
   */
  public static Duration window(Instant requestedAt, Instant expiresAt) {
    if (requestedAt == null || expiresAt == null || !expiresAt.isAfter(requestedAt)) {
      return ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW;
    }
    return Duration.between(requestedAt, expiresAt);
  }

  /** {@link #window(Instant, Instant)} for the read model's times. */
  public static Duration window(OffsetDateTime requestedAt, OffsetDateTime expiresAt) {
    return window(
        requestedAt == null ? null : requestedAt.toInstant(),
        expiresAt == null ? null : expiresAt.toInstant());
  }
}
