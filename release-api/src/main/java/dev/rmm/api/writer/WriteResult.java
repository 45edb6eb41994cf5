package dev.rmm.api.writer;

import dev.rmm.contracts.Decision;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.RollbackTargets;
import java.util.List;

/**
 * The outcome of one command: the decision, the release's state after it, and the types of the
 * events it appended, all of them valid in the log; for a rollback request, the targets it was
 * decided with (null otherwise).
 */
public record WriteResult(
    Decision decision,
    ReleaseState state,
    List<String> eventTypes,
    RollbackTargets rollbackTargets) {}
