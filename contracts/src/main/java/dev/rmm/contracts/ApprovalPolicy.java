package dev.rmm.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * @param roles the role quorum (issue 15 point 3): for each role, in the order the policy file
 *     names them, how many approvals in force must come from approvers holding it, beside the k of
 *     n of {@code quorum} (both must hold). One approver fills one role only ({@link RoleQuorum}),
 *     so that one person never meets a role quorum alone. Empty (every policy recorded before roles
 *     existed) means no role is required; written only when not empty.
 * @param breakGlassWindowMinutes how long a break-glass request waits for a second admin's
 *     confirmation (issue 15 point 4), in minutes, {@value #MIN_BREAK_GLASS_WINDOW_MINUTES} to
 *     {@value #MAX_BREAK_GLASS_WINDOW_MINUTES}; null (every policy recorded before the window was
 *     configurable) means {@link #DEFAULT_BREAK_GLASS_WINDOW}. Written only when set.
 */
public record ApprovalPolicy(
    List<Approver> approvers,
    int quorum,
    boolean initiatorMayApprove,
    List<Long> admins,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean onBehalfCounts,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer approvalExpiryMinutes,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Integer> roles,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer breakGlassWindowMinutes) {

  /** How long an approval counts when the policy does not say: a working day and a night. */
  public static final Duration DEFAULT_APPROVAL_EXPIRY = Duration.ofHours(24);

  /**
   * How long a break-glass waits for its second admin when the policy does not say: long enough to
   * reach a colleague on call, short enough that a forgotten request does not linger.
   */
  public static final Duration DEFAULT_BREAK_GLASS_WINDOW = Duration.ofMinutes(15);

  /** The shortest break-glass window a policy may set. */
  public static final int MIN_BREAK_GLASS_WINDOW_MINUTES = 1;

  /** The longest break-glass window a policy may set: a day (longer is no emergency). */
  public static final int MAX_BREAK_GLASS_WINDOW_MINUTES = 1440;

  /**
   * One approver.
   *
   * @param telegramId numeric Telegram user id, the only identity that counts
   * @param name display name for cards and messages
   * @param githubLogin the approver's GitHub login, to recognise the initiator; may be null
   * @param roles the roles the approver holds (e.g. {@code qa}, {@code lead}) for the policy's role
   *     quorum; empty for none, and then not written (approvers recorded before roles existed)
   * @param githubLogins further GitHub logins of the same person, from the policy file's {@code
   *     people} directory (issue 15 point 3): the initiator is recognised by any of them; empty for
   *     none, and then not written
   */
  public record Approver(
      long telegramId,
      String name,
      String githubLogin,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> roles,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> githubLogins) {
    public Approver {
      Objects.requireNonNull(name, "name");
      roles = roles == null ? List.of() : List.copyOf(roles);
      githubLogins = githubLogins == null ? List.of() : List.copyOf(githubLogins);
    }

    /** An approver who holds no role and has no further login. */
    public Approver(long telegramId, String name, String githubLogin) {
      this(telegramId, name, githubLogin, List.of(), List.of());
    }

    /** This approver holding {@code roles}. */
    public Approver withRoles(List<String> roles) {
      return new Approver(telegramId, name, githubLogin, roles, githubLogins);
    }

    /** This approver known by the further GitHub {@code logins} as well. */
    public Approver withGithubLogins(List<String> logins) {
      return new Approver(telegramId, name, githubLogin, roles, logins);
    }

    /** Whether {@code login} is one of this person's GitHub logins (GitHub ignores their case). */
    public boolean hasLogin(String login) {
      if (login == null) {
        return false;
      }
      return login.equalsIgnoreCase(githubLogin)
          || githubLogins.stream().anyMatch(login::equalsIgnoreCase);
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
    if (breakGlassWindowMinutes != null && !isBreakGlassWindow(breakGlassWindowMinutes)) {
      throw new IllegalArgumentException(
          "the break-glass window must be "
              + MIN_BREAK_GLASS_WINDOW_MINUTES
              + " to "
              + MAX_BREAK_GLASS_WINDOW_MINUTES
              + " minutes, was "
              + breakGlassWindowMinutes);
    }
    // in the policy file's order (the card lists the roles so); Map.copyOf would lose it
    roles =
        roles == null || roles.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(roles));
    RoleQuorum.checkRequirement(roles, approvers);
  }

  /** A policy with the default break-glass window. */
  public ApprovalPolicy(
      List<Approver> approvers,
      int quorum,
      boolean initiatorMayApprove,
      List<Long> admins,
      boolean onBehalfCounts,
      Integer approvalExpiryMinutes,
      Map<String, Integer> roles) {
    this(
        approvers,
        quorum,
        initiatorMayApprove,
        admins,
        onBehalfCounts,
        approvalExpiryMinutes,
        roles,
        null);
  }

  /** A policy without a role quorum. */
  public ApprovalPolicy(
      List<Approver> approvers,
      int quorum,
      boolean initiatorMayApprove,
      List<Long> admins,
      boolean onBehalfCounts,
      Integer approvalExpiryMinutes) {
    this(
        approvers,
        quorum,
        initiatorMayApprove,
        admins,
        onBehalfCounts,
        approvalExpiryMinutes,
        Map.of());
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
        approvers,
        quorum,
        initiatorMayApprove,
        admins,
        onBehalfCounts,
        minutes,
        roles,
        breakGlassWindowMinutes);
  }

  /** This policy with a break-glass window of {@code minutes} (null: the default). */
  public ApprovalPolicy withBreakGlassWindowMinutes(Integer minutes) {
    return new ApprovalPolicy(
        approvers,
        quorum,
        initiatorMayApprove,
        admins,
        onBehalfCounts,
        approvalExpiryMinutes,
        roles,
        minutes);
  }

  /** Whether {@code minutes} is a break-glass window a policy may set. */
  public static boolean isBreakGlassWindow(int minutes) {
    return minutes >= MIN_BREAK_GLASS_WINDOW_MINUTES && minutes <= MAX_BREAK_GLASS_WINDOW_MINUTES;
  }

  /** This policy with the role quorum {@code roles} (role -> approvals needed; empty: none). */
  public ApprovalPolicy withRoles(Map<String, Integer> roles) {
    return new ApprovalPolicy(
        approvers,
        quorum,
        initiatorMayApprove,
        admins,
        onBehalfCounts,
        approvalExpiryMinutes,
        roles,
        breakGlassWindowMinutes);
  }

  /** Whether this policy names roles beside its k of n. */
  public boolean hasRoles() {
    return !roles.isEmpty();
  }

  /** How long an approval counts toward the quorum before it expires. */
  public Duration approvalExpiry() {
    return approvalExpiryMinutes == null
        ? DEFAULT_APPROVAL_EXPIRY
        : Duration.ofMinutes(approvalExpiryMinutes);
  }

  /** How long a break-glass request waits for a second admin's confirmation. */
  public Duration breakGlassWindow() {
    return breakGlassWindowMinutes == null
        ? DEFAULT_BREAK_GLASS_WINDOW
        : Duration.ofMinutes(breakGlassWindowMinutes);
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
