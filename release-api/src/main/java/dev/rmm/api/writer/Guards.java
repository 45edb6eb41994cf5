package dev.rmm.api.writer;

import dev.rmm.contracts.Decision;
import dev.rmm.contracts.ReleaseState;
import java.util.List;
import java.util.function.Function;

/** Checks made by the writer against the current state, before the decider runs. */
final class Guards {

  private Guards() {}

  /**
   * A pipeline token may only act on releases of its own repository; {@code scope} null means an
   * admin (or the gateway): no restriction.
   */
  static Function<ReleaseState, Decision.Refused> repository(String scope) {
    if (scope == null) {
      return null;
    }
    return state -> {
      if (!state.exists() || scope.equalsIgnoreCase(state.spec().repository())) {
        return null;
      }
      return new Decision.Refused(
          Decision.Refusal.NOT_ALLOWED,
          "this token belongs to "
              + scope
              + " and cannot act on releases of "
              + state.spec().repository(),
          List.of());
    };
  }
}
