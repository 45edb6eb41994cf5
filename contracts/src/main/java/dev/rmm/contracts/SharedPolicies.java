package dev.rmm.contracts;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One instance per distinct approval policy among decoded events.
 *
 * <p>Every release carries the policy in force when it was created ({@link
 * ReleaseEvent.ReleaseCreated}), and a service's releases almost always carry the same one. A
 * reader that keeps releases in work in memory (the orchestrator, the writer's book) held one copy
 * per release: with 156k releases in work the orchestrator's heap had 156k {@link ApprovalPolicy}
 * and 312k {@link ApprovalPolicy.Approver} objects with their strings, about a quarter of its live
 * set (docs/benchmarks.md). Policies are immutable records compared by value, so equal ones can be
 * shared.
 *
 * <p>Bounded: a log with more distinct policies than {@link #LIMIT} (a policy per release, say)
 * starts over rather than growing without end; sharing is an optimisation, never needed for
 * correctness.
 */
final class SharedPolicies {

  /** Distinct policies kept; a team has one per service and version, far fewer than this. */
  static final int LIMIT = 4096;

  private static final ConcurrentHashMap<ApprovalPolicy, ApprovalPolicy> POLICIES =
      new ConcurrentHashMap<>();

  private SharedPolicies() {}

  /** The shared instance equal to {@code policy} (null stays null). */
  static ApprovalPolicy of(ApprovalPolicy policy) {
    if (policy == null) {
      return null;
    }
    ApprovalPolicy known = POLICIES.get(policy);
    if (known != null) {
      return known;
    }
    if (POLICIES.size() >= LIMIT) {
      POLICIES.clear();
    }
    known = POLICIES.putIfAbsent(policy, policy);
    return known != null ? known : policy;
  }

  /** {@code e} with its release's policy shared, when it is a creation; else {@code e} itself. */
  static EventEnvelope of(EventEnvelope e) {
    if (!(e.data() instanceof ReleaseEvent.ReleaseCreated created)) {
      return e;
    }
    ApprovalPolicy shared = of(created.policy());
    if (shared == created.policy()) {
      return e;
    }
    return new EventEnvelope(
        e.id(),
        e.releaseId(),
        e.sequence(),
        e.occurredAt(),
        e.actor(),
        e.correlationId(),
        e.causationId(),
        e.traceparent(),
        e.prevHash(),
        new ReleaseEvent.ReleaseCreated(created.spec(), shared));
  }
}
