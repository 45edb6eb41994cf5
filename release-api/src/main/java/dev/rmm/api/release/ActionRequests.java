package dev.rmm.api.release;

/** Bodies of the user actions that admin tools (and the gateway) may also send over HTTP. */
public final class ActionRequests {

  private ActionRequests() {}

  public record Approval(Long telegramUserId, String name, Long seenVersion) {}

  public record Rejection(Long telegramUserId, String name, String reason, Long seenVersion) {}

  public record Rollback(Long telegramUserId, String name, String targetTag, Long seenVersion) {}

  public record Cancellation(String reason) {}
}
