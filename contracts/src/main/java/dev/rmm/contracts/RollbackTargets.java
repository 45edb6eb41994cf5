package dev.rmm.contracts;

import java.util.List;

/**
 * What the history of a release's service allows it to be rolled back to. The log is keyed by
 * release, so a release's own state knows nothing of the other releases of its service; whoever
 * receives a rollback request (release-api, from the read model) looks this up and hands it to the
 * decider with the command. It never travels in a command: a sender could name any tag allowed. The
 * rule is in docs/security.md, "Rollback targets".
 *
 * @param allowed the tags the release may be rolled back to, the most recently deployed first
 * @param production the tag that runs in production now, or null when no deploy is known
 */
public record RollbackTargets(List<String> allowed, String production) {

  public RollbackTargets {
    allowed = List.copyOf(allowed);
  }

  public boolean allows(String tag) {
    return allowed.contains(tag);
  }
}
