package dev.rmm.contracts.readmodel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Why a release's approvals were voided the last time its tag moved (the row's {@code
 * approvals_voided}).
 *
 * @param approvers whose approvals were voided
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApprovalsVoided(
    String tag,
    String fromCommit,
    String toCommit,
    List<Person> approvers,
    String reason,
    OffsetDateTime at) {

  public ApprovalsVoided {
    approvers = approvers == null ? List.of() : List.copyOf(approvers);
  }
}
