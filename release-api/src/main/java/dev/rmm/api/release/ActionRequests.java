package dev.rmm.api.release;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Bodies of the user actions that admin tools (and the gateway) may also send over HTTP. */
public final class ActionRequests {

  private ActionRequests() {}

  /** Named in the OpenAPI document as before the read model's approvals had a schema too. */
  @Schema(name = "Approval")
  public record Approval(Long telegramUserId, String name, Long seenVersion) {}

  public record Rejection(Long telegramUserId, String name, String reason, Long seenVersion) {}

  public record Rollback(Long telegramUserId, String name, String targetTag, Long seenVersion) {}

  public record Cancellation(String reason) {}
}
