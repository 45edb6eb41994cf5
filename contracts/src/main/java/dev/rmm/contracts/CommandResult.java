package dev.rmm.contracts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.rmm.contracts.readmodel.ReleaseView;
import java.util.List;

/**
 * release-api's answer to a command, as the results topic carries it (release-api's {@code
 * CommandResults} writes it), bound by name with {@link EventCodec#mapper()}.
 *
 * @param outcome {@link #ACCEPTED} or {@link #REFUSED}
 * @param reason why it was refused ({@code not_allowed}, {@code stale}, ...), null when accepted
 * @param detail release-api's English explanation of a refusal
 * @param status the release's status after the decision; null when the release does not exist
 * @param version the release's version after the decision; 0 when it does not exist
 * @param approvals the approvals that count after the decision
 * @param events the types of the events the decision appended
 * @param release the release right after the decision (the writer's view), or null
 * @param allowedTargets a rollback refused for its target: the tags it may go to
 * @param productionTag a rollback refused for its target: the tag in production
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CommandResult(
    String commandId,
    String releaseId,
    String outcome,
    String reason,
    String detail,
    ReleaseStatus status,
    long version,
    int approvals,
    int quorum,
    List<String> events,
    ReleaseView release,
    List<String> allowedTargets,
    String productionTag) {

  public static final String ACCEPTED = "accepted";
  public static final String REFUSED = "refused";

  public CommandResult {
    events = events == null ? List.of() : List.copyOf(events);
    allowedTargets = allowedTargets == null ? List.of() : List.copyOf(allowedTargets);
  }

  public boolean accepted() {
    return ACCEPTED.equals(outcome);
  }

  /** The refusal's reason, or "" when there is none. */
  public String reasonOrEmpty() {
    return reason == null ? "" : reason;
  }

  /** The refusal's detail, or "" when there is none. */
  public String detailOrEmpty() {
    return detail == null ? "" : detail;
  }
}
