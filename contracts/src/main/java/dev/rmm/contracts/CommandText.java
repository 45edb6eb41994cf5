package dev.rmm.contracts;

import dev.rmm.contracts.ReleaseCommand.CancelRelease;
import dev.rmm.contracts.ReleaseCommand.CreateRelease;
import dev.rmm.contracts.ReleaseCommand.ForceApprove;
import dev.rmm.contracts.ReleaseCommand.Reject;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseCommand.RequestRollback;
import dev.rmm.contracts.TextRules.Kind;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The text a person put into a command, checked with {@link TextRules} before the decider lets it
 * into the log. The HTTP API checks the same fields first; this covers commands that arrive over
 * Kafka (from the gateway, or forwarded by another release-api instance).
 *
 * <p>The orchestrator's records (dispatch details, runbook commands and output) are not checked:
 * they report what happened on a host or at GitHub, and refusing them would lose that record.
 */
final class CommandText {

  private CommandText() {}

  /** Why the command's text may not enter the log, or empty. Field names are the wire names. */
  static Optional<String> problem(ReleaseCommand command) {
    if (command instanceof CreateRelease c) {
      ReleaseSpec s = c.spec();
      return first(
          TextRules.check("service", s.service(), Kind.LINE),
          TextRules.check("tag", s.tag(), Kind.LINE),
          TextRules.check("initiator", s.initiator(), Kind.LINE),
          TextRules.check("github_run_id", s.githubRunId(), Kind.LINE),
          TextRules.check("github_run_link", s.githubRunLink(), Kind.LINE),
          TextRules.check("ref", s.ref(), Kind.LINE),
          TextRules.check("repository", s.repository(), Kind.LINE),
          TextRules.check("commit_sha", s.commitSha(), Kind.LINE),
          TextRules.check("initiator_login", s.initiatorLogin(), Kind.LINE));
    } else if (command instanceof ReportStep c) {
      return TextRules.check("detail", c.detail(), Kind.FREE_TEXT);
    } else if (command instanceof Reject c) {
      return TextRules.check("reason", c.reason(), Kind.FREE_TEXT);
    } else if (command instanceof RequestRollback c) {
      return TextRules.check("target_tag", c.targetTag(), Kind.LINE);
    } else if (command instanceof CancelRelease c) {
      return TextRules.check("reason", c.reason(), Kind.FREE_TEXT);
    } else if (command instanceof ForceApprove c) {
      return TextRules.check("reason", c.reason(), Kind.FREE_TEXT);
    } else if (command instanceof ReleaseCommand.HoldDispatch c) {
      return TextRules.check("reason", c.reason(), Kind.LINE); // a freeze window's, one line
    }
    return Optional.empty();
  }

  @SafeVarargs
  private static Optional<String> first(Optional<String>... checks) {
    return Stream.of(checks).flatMap(Optional::stream).findFirst();
  }
}
