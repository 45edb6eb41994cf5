package dev.rmm.contracts.readmodel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.OffsetDateTime;

/**
 * An approval in a release row's {@code approved_list}.
 *
 * @param at when it was given; null on rows from before it was recorded (such an approval never
 *     expires)
 * @param commitSha the commit the approver approved, or null
 * @param onBehalf whether an admin token approved for the approver
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Approval(
    long id, String name, OffsetDateTime at, String commitSha, boolean onBehalf) {

  /** The name, or the id when none was recorded. */
  public String displayName() {
    return name != null ? name : String.valueOf(id);
  }
}
