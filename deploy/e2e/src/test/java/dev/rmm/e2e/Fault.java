package dev.rmm.e2e;

import java.util.List;

/**
 * One fault of the chaos harness, injected while {@link ChaosLoad} runs. {@link #inject} returns
 * when the part it broke is back, with the failures of the checks that only hold during the fault
 * (for example "queries answer 503 while PostgreSQL is down"); the {@link Verdict} judges the rest
 * after the load has stopped.
 */
interface Fault {

  /** For the report: what was broken, e.g. {@code kill -9 release-api}. */
  String name();

  /**
   * Breaks the part and brings it back.
   *
   * @return the failed checks of the fault itself, empty when all held
   */
  List<String> inject(ChaosLoad load) throws Exception;

  /**
   * The fault's own checks that can only be judged once the trial settled (run after the {@link
   * Verdict}), e.g. that the alerts raised during the fault reached the alerts chat.
   *
   * @return the failed checks, empty when all held
   */
  default List<String> afterwards() {
    return List.of();
  }
}
