package dev.rmm.api.writer;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.ReleaseCommand;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The commands topics, one per sender, and what each sender may ask. A command carries no authority
 * of its own: which types and actor kinds are accepted is fixed by the topic it was read from, and
 * each topic's Kafka ACL lets exactly one principal write it (docs/security.md). So the gateway's
 * principal cannot record a dispatch or bring its own approval policy, and the orchestrator's
 * cannot approve.
 *
 * @param api other release-api instances forwarding HTTP requests they authenticated: any command
 * @param gateway the Telegram gateway: a person's actions, as that Telegram user
 * @param orchestrator deploy-orchestrator: dispatches, runbooks and superseding, as the
 *     orchestrator
 */
record CommandTopics(String api, String gateway, String orchestrator) {

  /** A sender, and what it may send. */
  enum Sender {
    API(
        Set.of(Actor.Kind.GITHUB, Actor.Kind.ADMIN, Actor.Kind.TELEGRAM),
        Set.of(
            ReleaseCommand.CreateRelease.class,
            ReleaseCommand.ReportStep.class,
            ReleaseCommand.Approve.class,
            ReleaseCommand.Reject.class,
            ReleaseCommand.RequestRollback.class,
            ReleaseCommand.CancelRelease.class)),
    GATEWAY(
        Set.of(Actor.Kind.TELEGRAM),
        Set.of(
            ReleaseCommand.Approve.class,
            ReleaseCommand.Reject.class,
            ReleaseCommand.RequestRollback.class,
            ReleaseCommand.CancelRelease.class,
            ReleaseCommand.RetryDispatch.class,
            ReleaseCommand.ForceApprove.class,
            ReleaseCommand.ConfirmBreakGlass.class)),
    ORCHESTRATOR(
        Set.of(Actor.Kind.ORCHESTRATOR),
        Set.of(
            ReleaseCommand.StartDispatch.class,
            ReleaseCommand.RecordDispatch.class,
            ReleaseCommand.StartRunbook.class,
            ReleaseCommand.RecordRunbookStep.class,
            ReleaseCommand.FinishRunbook.class,
            ReleaseCommand.SupersedeRelease.class,
            ReleaseCommand.HoldDispatch.class,
            ReleaseCommand.ExpireBreakGlass.class));

    private final Set<Actor.Kind> actors;
    private final Set<Class<? extends ReleaseCommand>> commands;

    Sender(Set<Actor.Kind> actors, Set<Class<? extends ReleaseCommand>> commands) {
      this.actors = actors;
      this.commands = commands;
    }

    /** Null when this sender may send the command; otherwise the refusal, with no events. */
    Decision.Refused refuses(ReleaseCommand command) {
      String who = name().toLowerCase(Locale.ROOT);
      if (!commands.contains(command.getClass())) {
        return new Decision.Refused(
            Decision.Refusal.NOT_ALLOWED,
            command.getClass().getSimpleName() + " may not come from the " + who + "'s topic",
            List.of());
      }
      if (!actors.contains(command.actor().kind())) {
        return new Decision.Refused(
            Decision.Refusal.NOT_ALLOWED,
            "the "
                + who
                + "'s topic may not act as "
                + command.actor().kind().name().toLowerCase(Locale.ROOT),
            List.of());
      }
      return null;
    }
  }

  List<String> all() {
    return List.of(api, gateway, orchestrator);
  }

  Sender senderOf(String topic) {
    if (topic.equals(gateway)) {
      return Sender.GATEWAY;
    }
    if (topic.equals(orchestrator)) {
      return Sender.ORCHESTRATOR;
    }
    if (topic.equals(api)) {
      return Sender.API;
    }
    throw new IllegalArgumentException("not a commands topic: " + topic);
  }
}
