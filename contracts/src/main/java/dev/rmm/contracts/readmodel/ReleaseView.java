package dev.rmm.contracts.readmodel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.ReleaseStatus;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A release as the read model shows it: one row of {@code read_model.releases} (written by
 * release-projector), bound by name with {@code EventCodec.mapper()} (snake_case JSON, as {@code
 * to_jsonb} gives the row). The readers see the same typed row, so a column renamed in the
 * projector breaks a compile or a binding test, not a card at run time.
 *
 * <p>The last five components are not columns: telegram-gateway sets them (with the policy fields)
 * from the approval policy in force ({@link #withPolicy}).
 *
 * @param rollbackToTag the tag a rollback goes to; empty when none was requested
 * @param quorum the approvals needed, or null when the row has none (the number of approvers then)
 * @param roleQuorum the roles the release's policy requires beside the quorum, or null when it
 *     names none (the policy recorded at creation; {@link #requiredRoles} is the one in force)
 * @param admins the Telegram ids of the service's admins
 * @param completedAt when the release reached production or a terminal status, or null
 * @param dispatch the production dispatch, or null before one started
 * @param runbook the last runbook run, or null
 * @param supersededByTag the tag of the newer release that superseded this one, or null
 * @param approvalsVoided why approvals were voided, or null when the tag never moved
 * @param breakGlass the break-glass, or null when none was requested
 * @param dispatchHeld the freeze that holds the dispatch, or null
 * @param initiatorName the policy's name of the authenticated initiator, or null
 * @param requiredRoles the policy's role quorum in its order, or null when it names none
 * @param approvalExpiryMinutes how long an approval counts before the quorum, or null (the default)
 * @param breakGlassWindowMinutes how long a break-glass waits for a second admin, or null (the
 *     default, {@code ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW})
 * @param policyVersion the policy event the policy fields come from, or null (the release's own)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReleaseView(
    String releaseId,
    String serviceName,
    String releaseTag,
    String rollbackToTag,
    ReleaseStatus status,
    Outcome outcome,
    String initiatedBy,
    String initiatorLogin,
    String githubRunId,
    String githubActionLink,
    String githubRef,
    String repository,
    String commitSha,
    List<Approval> approvedList,
    List<Person> requiredApprovers,
    Integer quorum,
    List<RoleTally> roleQuorum,
    List<Long> admins,
    boolean initiatorMayApprove,
    String rejectionReason,
    long version,
    OffsetDateTime createdAt,
    OffsetDateTime startedAt,
    OffsetDateTime completedAt,
    OffsetDateTime deployedAt,
    OffsetDateTime updatedAt,
    Dispatch dispatch,
    Runbook runbook,
    OffsetDateTime manualTestingAt,
    OffsetDateTime decidedAt,
    OffsetDateTime deployingAt,
    OffsetDateTime rollbackStartedAt,
    OffsetDateTime restoredAt,
    String supersededById,
    String supersededByTag,
    ApprovalsVoided approvalsVoided,
    BreakGlass breakGlass,
    DispatchHeld dispatchHeld,
    String initiatorName,
    Map<String, Integer> requiredRoles,
    Long approvalExpiryMinutes,
    Long breakGlassWindowMinutes,
    Long policyVersion) {

  public ReleaseView {
    rollbackToTag = rollbackToTag == null ? "" : rollbackToTag;
    approvedList = approvedList == null ? List.of() : List.copyOf(approvedList);
    requiredApprovers = requiredApprovers == null ? List.of() : List.copyOf(requiredApprovers);
    roleQuorum = roleQuorum == null ? null : List.copyOf(roleQuorum);
    admins = admins == null ? List.of() : List.copyOf(admins);
    requiredRoles =
        requiredRoles == null || requiredRoles.isEmpty()
            ? null
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requiredRoles));
  }

  /** Whether the user is among the required approvers. */
  public boolean isApprover(long telegramUserId) {
    return requiredApprovers.stream().anyMatch(p -> p.id() == telegramUserId);
  }

  public boolean isAdmin(long telegramUserId) {
    return admins.contains(telegramUserId);
  }

  /** The approvals needed: the row's quorum, or every approver when the row has none. */
  public int quorumOrAll() {
    return quorum != null ? quorum : requiredApprovers.size();
  }

  /** How long a break-glass waits for its second admin under the policy the row shows. */
  public java.time.Duration breakGlassWindow() {
    return breakGlassWindowMinutes == null
        ? dev.rmm.contracts.ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW
        : java.time.Duration.ofMinutes(breakGlassWindowMinutes);
  }

  /** Whether the production dispatch failed (and was not retried since). */
  public boolean dispatchFailed() {
    return dispatch != null && dispatch.failed();
  }

  /**
   * The row with the policy fields of the policy in force instead of the ones the release recorded
   * when it was created.
   */
  public ReleaseView withPolicy(
      List<Person> requiredApprovers,
      List<Long> admins,
      int quorum,
      boolean initiatorMayApprove,
      Map<String, Integer> requiredRoles,
      long approvalExpiryMinutes,
      long breakGlassWindowMinutes,
      long policyVersion) {
    return with(
        new PolicyFields(
            requiredApprovers,
            admins,
            quorum,
            initiatorMayApprove,
            requiredRoles,
            approvalExpiryMinutes,
            breakGlassWindowMinutes,
            policyVersion),
        initiatorName);
  }

  /** The row naming its authenticated initiator as the policy's person (null: nobody). */
  public ReleaseView withInitiatorName(String name) {
    return with(
        new PolicyFields(
            requiredApprovers,
            admins,
            quorum,
            initiatorMayApprove,
            requiredRoles,
            approvalExpiryMinutes,
            breakGlassWindowMinutes,
            policyVersion),
        name);
  }

  /** The fields a reader may set from the approval policy in force (see {@link #withPolicy}). */
  private record PolicyFields(
      List<Person> requiredApprovers,
      List<Long> admins,
      Integer quorum,
      boolean initiatorMayApprove,
      Map<String, Integer> requiredRoles,
      Long approvalExpiryMinutes,
      Long breakGlassWindowMinutes,
      Long policyVersion) {}

  /** The row with these policy fields and initiator name, every column as it is. */
  private ReleaseView with(PolicyFields p, String initiatorName) {
    return new ReleaseView(
        releaseId,
        serviceName,
        releaseTag,
        rollbackToTag,
        status,
        outcome,
        initiatedBy,
        initiatorLogin,
        githubRunId,
        githubActionLink,
        githubRef,
        repository,
        commitSha,
        approvedList,
        p.requiredApprovers(),
        p.quorum(),
        roleQuorum,
        p.admins(),
        p.initiatorMayApprove(),
        rejectionReason,
        version,
        createdAt,
        startedAt,
        completedAt,
        deployedAt,
        updatedAt,
        dispatch,
        runbook,
        manualTestingAt,
        decidedAt,
        deployingAt,
        rollbackStartedAt,
        restoredAt,
        supersededById,
        supersededByTag,
        approvalsVoided,
        breakGlass,
        dispatchHeld,
        initiatorName,
        p.requiredRoles(),
        p.approvalExpiryMinutes(),
        p.breakGlassWindowMinutes(),
        p.policyVersion());
  }
}
