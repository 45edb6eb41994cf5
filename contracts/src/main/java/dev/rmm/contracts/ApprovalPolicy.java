package dev.rmm.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may approve a service's releases, how many approvals make the quorum, and who the admins are.
 * The policy in force is copied into the release's first event, so a later change of configuration
 * never rewrites history.
 *
 * @param approvers the people whose approval counts, by Telegram user id
 * @param quorum how many distinct approvals are needed (k of n)
 * @param initiatorMayApprove whether the person who pushed the tag may approve their own release
 * @param admins Telegram user ids allowed to roll back and cancel
 * @param onBehalfCounts whether an approval an admin token sends on behalf of an approver counts
 *     toward the quorum; false (the default, and the value of every policy recorded before the flag
 *     existed) refuses it, so that one admin token cannot meet the whole quorum. Written only when
 *     true, so policies without it keep their recorded shape.
 * @param approvalExpiryMinutes how long an approval counts toward the quorum before it expires, in
 *     minutes; null (every policy recorded before expiry existed) means {@link
 *     #DEFAULT_APPROVAL_EXPIRY}. Written only when set, so policies without it keep their shape.
 */
public record ApprovalPolicy(
    List<Approver> approvers,
    int quorum,
    boolean initiatorMayApprove,
    List<Long> admins,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean onBehalfCounts,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer approvalExpiryMinutes) {

  /** How long an approval counts when the policy does not say: a working day and a night. */
  public static final Duration DEFAULT_APPROVAL_EXPIRY = Duration.ofHours(24);

  /**
   * One approver.
   *
   * @param telegramId numeric Telegram user id, the only identity that counts
   * @param name display name for cards and messages
   * @param githubLogin the approver's GitHub login, to recognise the initiator; may be null
   */
  public record Approver(long telegramId, String name, String githubLogin) {
    public Approver {
      Objects.requireNonNull(name, "name");
    }
  }

  public ApprovalPolicy {
    approvers = List.copyOf(approvers);
    admins = List.copyOf(admins);
    if (approvers.stream().map(Approver::telegramId).distinct().count() != approvers.size()) {
      throw new IllegalArgumentException("an approver is listed twice");
    }
    if (quorum < 1 || quorum > approvers.size()) {
      throw new IllegalArgumentException(
          "quorum must be between 1 and the number of approvers ("
              + approvers.size()
              + "), was "
              + quorum);
    }
    if (approvalExpiryMinutes != null && approvalExpiryMinutes < 1) {
      throw new IllegalArgumentException(
          "approval expiry must be at least 1 minute, was " + approvalExpiryMinutes);
    }
  }

  /** A policy whose approvals expire after {@link #DEFAULT_APPROVAL_EXPIRY}. */
  public ApprovalPolicy(
      List<Approver> approvers,
      int quorum,
      boolean initiatorMayApprove,
      List<Long> admins,
      boolean onBehalfCounts) {
    this(approvers, quorum, initiatorMayApprove, admins, onBehalfCounts, null);
  }

  /** A policy under which approvals on behalf of an approver do not count. */
  public ApprovalPolicy(
      List<Approver> approvers, int quorum, boolean initiatorMayApprove, List<Long> admins) {
    this(approvers, quorum, initiatorMayApprove, admins, false, null);
  }

  /** This policy with approvals that expire after {@code minutes} (null: the default). */
  public ApprovalPolicy withApprovalExpiryMinutes(Integer minutes) {
    return new ApprovalPolicy(
        approvers, quorum, initiatorMayApprove, admins, onBehalfCounts, minutes);
  }

  /** How long an approval counts toward the quorum before it expires. */
  public Duration approvalExpiry() {
    return approvalExpiryMinutes == null
        ? DEFAULT_APPROVAL_EXPIRY
        : Duration.ofMinutes(approvalExpiryMinutes);
  }

  /** The original system's rule: every listed approver must approve. */
  public static ApprovalPolicy allOf(List<Approver> approvers, List<Long> admins) {
    return new ApprovalPolicy(approvers, approvers.size(), false, admins);
  }

  public Optional<Approver> approver(long telegramId) {
    return approvers.stream().filter(a -> a.telegramId() == telegramId).findFirst();
  }

  public boolean isAdmin(long telegramId) {
    return admins.contains(telegramId);
  }
}
