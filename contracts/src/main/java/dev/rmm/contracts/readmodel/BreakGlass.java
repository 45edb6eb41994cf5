package dev.rmm.contracts.readmodel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.OffsetDateTime;

/**
 * A release's break-glass (the row's {@code break_glass} column, written by the projector's
 * BreakGlassColumn): the last request and what became of it.
 *
 * @param state {@link #AWAITING}, {@link #CONFIRMED} or {@link #EXPIRED}
 * @param expiresAt when an unconfirmed request lapses, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BreakGlass(
    String state,
    Long requestedBy,
    String requestedByName,
    String reason,
    String tag,
    String commitSha,
    OffsetDateTime requestedAt,
    OffsetDateTime expiresAt,
    OffsetDateTime expiredAt,
    Long confirmedBy,
    String confirmedByName,
    OffsetDateTime confirmedAt,
    int requests,
    int confirmations,
    int expiries) {

  public static final String AWAITING = "awaiting";
  public static final String CONFIRMED = "confirmed";
  public static final String EXPIRED = "expired";

  public boolean isAwaiting() {
    return AWAITING.equals(state);
  }

  public boolean isConfirmed() {
    return CONFIRMED.equals(state);
  }
}
