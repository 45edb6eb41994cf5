package dev.rmm.gateway.bot;

/**
 * An action a user started and has not confirmed yet.
 *
 * @param kind what it does
 * @param releaseId the release
 * @param version the release version the user's card showed
 * @param userId who started it: only they may confirm it
 * @param userName their name, for the audit trail
 * @param reason the rejection or cancellation reason, once given
 * @param targetTag the rollback's target tag, once picked
 * @param cardChatId the chat of the card the action started from
 * @param cardMessageId the card's message, refreshed when the action is done
 */
public record PendingAction(
    Kind kind,
    String releaseId,
    long version,
    long userId,
    String userName,
    String reason,
    String targetTag,
    long cardChatId,
    int cardMessageId) {

  /** The actions that need a confirmation. */
  public enum Kind {
    APPROVE,
    REJECT,
    ROLLBACK,
    CANCEL_RELEASE,
    RETRY_DISPATCH,
    BREAK_GLASS,
    CONFIRM_BREAK_GLASS,
    /** {@link #CONFIRM_BREAK_GLASS} pressed on the request's alert in the alerts chat. */
    CONFIRM_BREAK_GLASS_ALERT
  }

  public PendingAction withReason(String r) {
    return new PendingAction(
        kind, releaseId, version, userId, userName, r, targetTag, cardChatId, cardMessageId);
  }

  public PendingAction withTargetTag(String tag) {
    return new PendingAction(
        kind, releaseId, version, userId, userName, reason, tag, cardChatId, cardMessageId);
  }
}
