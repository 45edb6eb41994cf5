package dev.rmm.contracts;

import dev.rmm.contracts.ReleaseEvent.PolicyChanged;

/**
 * The policy topic folded: the newest valid {@link PolicyChanged} event and its version (its
 * sequence number in the policy chain). Immutable; readers fold the events that count ({@link
 * dev.rmm.contracts.log.ChainRule}) with {@link #then}.
 *
 * @param version the sequence number of {@code current}, 0 before the first policy event
 * @param current the policy in force, or null before the first policy event
 */
public record PolicyHistory(long version, PolicyChanged current) {

  /** Before the first policy event. */
  public static final PolicyHistory NONE = new PolicyHistory(0, null);

  /** The history after the valid policy event {@code e}. */
  public PolicyHistory then(EventEnvelope e) {
    if (!(e.data() instanceof PolicyChanged p)) {
      throw new IllegalArgumentException(
          e.type() + " is not a policy event (on the policy topic: " + e.id() + ")");
    }
    return new PolicyHistory(e.sequence(), p);
  }

  /**
   * The policy of {@code service} in force, or null before the first policy event (then a release's
   * recorded policy decides, as before policies were logged).
   */
  public PolicyInForce inForce(String service) {
    return current == null ? null : PolicyInForce.of(version, current, service);
  }
}
