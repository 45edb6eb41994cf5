package dev.rmm.api.query;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.rmm.api.query.QueryJson.InstantText;
import dev.rmm.contracts.readmodel.Approval;
import dev.rmm.contracts.readmodel.ApprovalsVoided;
import dev.rmm.contracts.readmodel.BreakGlass;
import dev.rmm.contracts.readmodel.Dispatch;
import dev.rmm.contracts.readmodel.DispatchHeld;
import dev.rmm.contracts.readmodel.Person;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.contracts.readmodel.RoleTally;
import dev.rmm.contracts.readmodel.Runbook;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * How the query API writes contracts' read-model views ({@code dev.rmm.contracts.readmodel}), kept
 * here so that contracts holds no API wire details: which fields a release's answer leaves out (the
 * service's admins and the policy fields telegram-gateway fills in), which optional fields of the
 * projector's JSON columns are left out when empty (as the projector leaves them out), and that
 * times inside those columns keep the projector's format. Every view keeps Postgres' key order
 * ({@link JsonbKeyOrder}).
 */
final class ReadModelMixIns {

  private ReadModelMixIns() {}

  static SimpleModule register(SimpleModule module) {
    return module
        .setMixInAnnotation(ReleaseView.class, ReleaseAnswer.class)
        .setMixInAnnotation(Approval.class, ApprovalAnswer.class)
        .setMixInAnnotation(Person.class, PersonAnswer.class)
        .setMixInAnnotation(RoleTally.class, RoleTallyAnswer.class)
        .setMixInAnnotation(Dispatch.class, DispatchAnswer.class)
        .setMixInAnnotation(DispatchHeld.class, DispatchHeldAnswer.class)
        .setMixInAnnotation(Runbook.class, RunbookAnswer.class)
        .setMixInAnnotation(Runbook.Step.class, RunbookStepAnswer.class)
        .setMixInAnnotation(BreakGlass.class, BreakGlassAnswer.class)
        .setMixInAnnotation(ApprovalsVoided.class, ApprovalsVoidedAnswer.class);
  }

  /**
   * A release row without what the API never showed: the service's admins, whether the initiator
   * may approve, and the policy fields that are no columns (see {@link ReleaseView}).
   */
  @JsonbKeyOrder
  abstract static class ReleaseAnswer {
    static final List<String> LEFT_OUT =
        List.of(
            "admins",
            "initiator_may_approve",
            "initiator_name",
            "required_roles",
            "approval_expiry_minutes",
            "break_glass_window_minutes",
            "policy_version");

    @JsonIgnore
    abstract List<Long> admins();

    @JsonIgnore
    abstract boolean initiatorMayApprove();

    @JsonIgnore
    abstract String initiatorName();

    @JsonIgnore
    abstract Map<String, Integer> requiredRoles();

    @JsonIgnore
    abstract Long approvalExpiryMinutes();

    @JsonIgnore
    abstract Long breakGlassWindowMinutes();

    @JsonIgnore
    abstract Long policyVersion();
  }

  @JsonbKeyOrder
  abstract static class ApprovalAnswer {
    @JsonInclude(Include.NON_NULL)
    @JsonSerialize(using = InstantText.class)
    abstract OffsetDateTime at();

    @JsonInclude(Include.NON_NULL)
    abstract String commitSha();

    @JsonInclude(Include.NON_DEFAULT)
    abstract boolean onBehalf();
  }

  @JsonbKeyOrder
  abstract static class PersonAnswer {
    @JsonInclude(Include.NON_NULL)
    abstract String githubLogin();

    @JsonInclude(Include.NON_EMPTY)
    abstract List<String> roles();
  }

  @JsonbKeyOrder
  abstract static class RoleTallyAnswer {}

  @JsonbKeyOrder
  abstract static class DispatchAnswer {
    @JsonInclude(Include.NON_NULL)
    abstract Integer httpStatus();

    @JsonInclude(Include.NON_NULL)
    abstract String detail();

    @JsonInclude(Include.NON_DEFAULT)
    abstract int retries();

    @JsonInclude(Include.NON_NULL)
    abstract String retryRequestedBy();
  }

  @JsonbKeyOrder
  abstract static class DispatchHeldAnswer {
    @JsonSerialize(using = InstantText.class)
    abstract OffsetDateTime until();

    @JsonInclude(Include.NON_NULL)
    abstract String reason();

    @JsonInclude(Include.NON_NULL)
    abstract Long policyVersion();

    @JsonSerialize(using = InstantText.class)
    abstract OffsetDateTime at();
  }

  @JsonbKeyOrder
  abstract static class RunbookAnswer {}

  @JsonbKeyOrder
  abstract static class RunbookStepAnswer {}

  @JsonbKeyOrder
  abstract static class BreakGlassAnswer {
    @JsonSerialize(using = InstantText.class)
    abstract OffsetDateTime requestedAt();

    @JsonSerialize(using = InstantText.class)
    abstract OffsetDateTime expiresAt();

    @JsonInclude(Include.NON_NULL)
    @JsonSerialize(using = InstantText.class)
    abstract OffsetDateTime expiredAt();

    @JsonInclude(Include.NON_NULL)
    abstract Long confirmedBy();

    @JsonInclude(Include.NON_NULL)
    abstract String confirmedByName();

    @JsonInclude(Include.NON_NULL)
    @JsonSerialize(using = InstantText.class)
    abstract OffsetDateTime confirmedAt();

    @JsonIgnore
    abstract boolean isAwaiting();

    @JsonIgnore
    abstract boolean isConfirmed();
  }

  @JsonbKeyOrder
  abstract static class ApprovalsVoidedAnswer {
    @JsonSerialize(using = InstantText.class)
    abstract OffsetDateTime at();
  }
}
