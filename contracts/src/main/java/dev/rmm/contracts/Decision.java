package dev.rmm.contracts;

import java.util.List;

/** The decider's answer to a command. */
public sealed interface Decision {

  /** Events to append, in order (empty when the command was a harmless repeat). */
  List<ReleaseEvent> events();

  /** The command is accepted; {@code events} may be empty when it changes nothing (a repeat). */
  record Accepted(List<ReleaseEvent> events) implements Decision {
    public Accepted {
      events = List.copyOf(events);
    }
  }

  /**
   * The command is refused. {@code events} holds only an audit record ({@link
   * ReleaseEvent.ActionRefused}) for refused user actions, and nothing otherwise.
   */
  record Refused(Refusal reason, String detail, List<ReleaseEvent> events) implements Decision {
    public Refused {
      events = List.copyOf(events);
    }
  }

  /** Why a command was refused; each maps to one HTTP status. */
  enum Refusal {
    /** No such release. */
    NOT_FOUND,
    /** The command itself is malformed (blank reason, unknown tag...). */
    INVALID,
    /** The state machine forbids it in the current status. */
    ILLEGAL_TRANSITION,
    /** The person is not allowed to do this. */
    NOT_ALLOWED,
    /** The user acted on a card that is older than the release's current status. */
    STALE,
    /** A release with this id exists with different details. */
    CONFLICT,
    /**
     * A rollback to a tag the service's history does not allow (not an earlier deployed tag, or one
     * rolled back or failed); the detail names the allowed tags.
     */
    TARGET_NOT_ALLOWED
  }
}
