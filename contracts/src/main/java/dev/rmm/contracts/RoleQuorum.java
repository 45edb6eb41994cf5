package dev.rmm.contracts;

import dev.rmm.contracts.ApprovalPolicy.Approver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How far approvals go toward a policy's role quorum (issue 15 point 3: {@code qa: 1, lead: 1}).
 *
 * <p>The rule: <b>one approver fills one role only</b>, even when they hold several. A role quorum
 * exists so that different people look at a release from different sides (a QA tested it, a lead
 * accepted it); if one approval counted for every role its approver holds, a person holding both
 * {@code qa} and {@code lead} would meet {@code qa: 1, lead: 1} alone, and the policy's demand for
 * two people would be void. So the approvals are matched to the role places (a place per approval a
 * role needs) as a bipartite matching, each approver to at most one place of a role they hold, and
 * the role quorum is met when every place is filled. The matching is a maximum one (Kuhn's
 * augmenting paths), so an approval given early never blocks a later one: a person holding both
 * roles who approved first is moved to the role the next approver cannot fill.
 *
 * <p>Pure and deterministic (the places in the policy's role order, the approvers in the order
 * given): the decider decides with it and the gateway's card shows the same figures.
 *
 * @param required the policy's role quorum, in its order
 * @param filled for each required role, how many of its places the approvals fill
 */
public record RoleQuorum(Map<String, Integer> required, Map<String, Integer> filled) {

  public RoleQuorum {
    required = Collections.unmodifiableMap(new LinkedHashMap<>(required));
    filled = Collections.unmodifiableMap(new LinkedHashMap<>(filled));
  }

  /** The role quorum of {@code required} as far as the approvals of {@code approvers} fill it. */
  public static RoleQuorum of(Map<String, Integer> required, List<Approver> approvers) {
    List<String> places = new ArrayList<>();
    required.forEach(
        (role, count) -> {
          for (int i = 0; i < count; i++) {
            places.add(role);
          }
        });
    int[] holderOf = new int[places.size()];
    Arrays.fill(holderOf, -1);
    for (int a = 0; a < approvers.size(); a++) {
      assign(a, approvers, places, holderOf, new boolean[places.size()]);
    }
    Map<String, Integer> filled = new LinkedHashMap<>();
    required.keySet().forEach(role -> filled.put(role, 0));
    for (int p = 0; p < places.size(); p++) {
      if (holderOf[p] >= 0) {
        filled.merge(places.get(p), 1, Integer::sum);
      }
    }
    return new RoleQuorum(required, filled);
  }

  /** Whether every role has as many approvals as it needs (true when no role is required). */
  public boolean met() {
    return required.entrySet().stream()
        .allMatch(e -> filled.getOrDefault(e.getKey(), 0) >= e.getValue());
  }

  /** "qa 1/1 · lead 0/1": the roles as the policy names them, in its order. */
  public String summary() {
    List<String> parts = new ArrayList<>();
    required.forEach((role, count) -> parts.add(role + " " + filled.get(role) + "/" + count));
    return String.join(" · ", parts);
  }

  /**
   * Refuses a role quorum that could never be met: a count below 1, a blank role, or more places
   * than the approvers can fill one role each (a role nobody holds, say). Called by {@link
   * ApprovalPolicy}'s constructor, like the k-of-n check, so a policy file asking for it is refused
   * before any release waits for an approval that cannot come.
   */
  static void checkRequirement(Map<String, Integer> required, List<Approver> approvers) {
    long places = 0;
    for (Map.Entry<String, Integer> e : required.entrySet()) {
      if (e.getKey() == null || e.getKey().isBlank()) {
        throw new IllegalArgumentException("'roles' names a blank role");
      }
      if (e.getValue() == null || e.getValue() < 1) {
        throw new IllegalArgumentException(
            "'roles' needs at least 1 approval of role " + e.getKey() + ", was " + e.getValue());
      }
      long holders = approvers.stream().filter(a -> a.roles().contains(e.getKey())).count();
      if (e.getValue() > holders) {
        throw new IllegalArgumentException(
            "'roles' cannot be met: role "
                + e.getKey()
                + " needs "
                + e.getValue()
                + " approval(s) but "
                + holders
                + " approver(s) hold it");
      }
      places += e.getValue();
    }
    // checked before the matching, which makes a place per approval needed
    if (places > approvers.size()) {
      throw new IllegalArgumentException(
          "'roles' cannot be met: they need "
              + places
              + " approvals but there are "
              + approvers.size()
              + " approver(s), and one approver fills one role only");
    }
    RoleQuorum all = of(required, approvers);
    if (!all.met()) {
      throw new IllegalArgumentException(
          "'roles' cannot be met even if every approver approves ("
              + all.summary()
              + "; one approver fills one role only)");
    }
  }

  /** Kuhn's augmenting path: gives approver {@code a} a place, moving others along if need be. */
  private static boolean assign(
      int a, List<Approver> approvers, List<String> places, int[] holderOf, boolean[] seen) {
    List<String> roles = approvers.get(a).roles();
    for (int p = 0; p < places.size(); p++) {
      if (seen[p] || !roles.contains(places.get(p))) {
        continue;
      }
      seen[p] = true;
      if (holderOf[p] < 0 || assign(holderOf[p], approvers, places, holderOf, seen)) {
        holderOf[p] = a;
        return true;
      }
    }
    return false;
  }
}
