package dev.rmm.contracts.readmodel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A person named by a release row: a required approver (with the roles they hold under a role
 * quorum), or an approver whose approval a moved tag voided.
 *
 * @param id the Telegram user id
 * @param name the name the policy gives, or null
 * @param githubLogin the GitHub login the policy gives, or null
 * @param roles the roles held under the policy in force; empty when the policy names none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Person(long id, String name, String githubLogin, List<String> roles) {

  public Person {
    roles = roles == null ? List.of() : List.copyOf(roles);
  }

  /** The name, or the id when the policy gives none. */
  public String displayName() {
    return name != null ? name : String.valueOf(id);
  }
}
