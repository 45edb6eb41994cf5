package dev.rmm.api.release;

/**
 * A lifecycle step reported by a pipeline or the orchestrator: the status reached.
 *
 * @param commitSha the commit the release's tag points at now (optional): another commit than the
 *     release's means the tag was moved, which voids its approvals before the quorum and is refused
 *     after it
 */
public record StepRequest(String status, String detail, String commitSha) {

  public StepRequest(String status, String detail) {
    this(status, detail, null);
  }
}
