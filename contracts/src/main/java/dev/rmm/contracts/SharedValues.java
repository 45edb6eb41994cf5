package dev.rmm.contracts;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One instance per distinct approval policy among decoded events, and one per distinct value of a
 * release's fields that repeat across releases (service, repository, initiator).
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
final class SharedValues {

  /** Distinct policies kept; a team has one per service and version, far fewer than this. */
  static final int LIMIT = 4096;

  private static final ConcurrentHashMap<ApprovalPolicy, ApprovalPolicy> POLICIES =
      new ConcurrentHashMap<>();

  private SharedValues() {}

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

  /**
   * The spec with its service, repository and initiator as the JVM's one instance of each string
   * ({@link String#intern}: kept while anything refers to it), so that a service's releases share
   * them; the other fields (tag, run, commit) differ per release. Null stays null.
   */
  static ReleaseSpec of(ReleaseSpec spec) {
    if (spec == null) {
      return null; // decoded as it was written; the decider refuses such an event, readers skip it
    }
    return new ReleaseSpec(
        intern(spec.service()),
        spec.tag(),
        intern(spec.initiator()),
        spec.githubRunId(),
        spec.githubRunLink(),
        spec.ref(),
        intern(spec.repository()),
        spec.commitSha(),
        intern(spec.initiatorLogin()));
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }

  /**
   * {@code e} with its release's policy and repeated fields shared, when it is a creation; else
   * {@code e} itself.
   */
  static EventEnvelope of(EventEnvelope e) {
    if (!(e.data() instanceof ReleaseEvent.ReleaseCreated created)) {
      return e;
    }
    return e.withData(new ReleaseEvent.ReleaseCreated(of(created.spec()), of(created.policy())));
  }
}
