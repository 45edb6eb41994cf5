package dev.rmm.api.writer;

import dev.rmm.contracts.Decision;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.RollbackTargets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;

/**
 * One command waiting for its partition's writer.
 *
 * @param command what to decide; null for a command read from Kafka that could not be decoded (its
 *     offset is still committed, with an answer on the results topic)
 * @param meta ids and trace context to stamp on the events
 * @param reply completed once the events are known valid in the log (or the command is refused)
 * @param guard checked against the release's current state before deciding (for example: the
 *     caller's token belongs to the release's repository); a non-null answer refuses the command
 *     and writes nothing. May be null.
 * @param source set when the command was read from the commands topic: its offset becomes
 *     committable once its events are valid in the log, and its answer goes to the results topic
 * @param deadline when the requester stops waiting, or null for none: a request the writer reaches
 *     after it is dropped undecided ({@link ExpiredException}; "expired" on the results topic)
 * @param rollbackTargets for a rollback request: what the service's history allows, looked up when
 *     the request arrived ({@link dev.rmm.api.rollback.RollbackTargetLookup}); null otherwise
 * @param undecidable why the request cannot be decided now (its rollback targets could not be
 *     looked up), or null: such a request is answered "unavailable" undecided, nothing appended
 */
record WriteRequest(
    ReleaseCommand command,
    RequestMeta meta,
    CompletableFuture<WriteResult> reply,
    Function<ReleaseState, Decision.Refused> guard,
    KafkaSource source,
    Instant deadline,
    RollbackTargets rollbackTargets,
    String undecidable) {

  WriteRequest(
      ReleaseCommand command,
      RequestMeta meta,
      CompletableFuture<WriteResult> reply,
      Function<ReleaseState, Decision.Refused> guard,
      KafkaSource source,
      Instant deadline) {
    this(command, meta, reply, guard, source, deadline, null, null);
  }

  WriteRequest withRollbackTargets(RollbackTargets targets) {
    return new WriteRequest(command, meta, reply, guard, source, deadline, targets, null);
  }

  WriteRequest undecidable(String why) {
    return new WriteRequest(command, meta, reply, guard, source, deadline, null, why);
  }

  static WriteRequest unreadable(String commandId, String detail, KafkaSource source) {
    return new WriteRequest(
        null,
        new RequestMeta(commandId, detail, null),
        new CompletableFuture<>(),
        null,
        source,
        null);
  }

  boolean expiredAt(Instant now) {
    return deadline != null && now.isAfter(deadline);
  }

  /** Where a command read from Kafka came from. */
  record KafkaSource(TopicPartition partition, long offset) {}
}
