package dev.rmm.api.writer;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The commands of one partition whose events are valid in the log, by command id: a command read
 * again from the commands topic (after a crash before its offset was committed) gets the same
 * answer again and appends nothing. Bounded: a command is read again within seconds or minutes of
 * its first delivery, so the newest entries are the ones that matter. Only commands that come over
 * Kafka (from Telegram users and the orchestrator) are remembered; HTTP requests are answered
 * idempotently by the decider itself.
 */
final class AppliedCommands {

  /** What the command's events said: the types appended, and the refusal when it was refused. */
  record Answer(Decision decision, List<String> eventTypes) {}

  /** What is kept of a command's events: their types, and its refusal when it was refused. */
  private static final class Applied {
    final List<String> types = new ArrayList<>(2);
    String refusalReason;
    String refusalDetail;
  }

  /** One remembered command, as a writer snapshot holds it (WriterSnapshots). */
  record Entry(
      @JsonProperty("key") String key,
      @JsonProperty("types") List<String> types,
      @JsonProperty("refusal_reason") String refusalReason,
      @JsonProperty("refusal_detail") String refusalDetail) {}

  private final int capacity;

  private final Map<String, Applied> byCommand;

  AppliedCommands(int capacity) {
    this.capacity = capacity;
    this.byCommand =
        new LinkedHashMap<>(1024, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Applied> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Remembers a valid event of the log. */
  void record(EventEnvelope e) {
    Actor.Kind kind = e.actor().kind();
    if (e.causationId() == null
        || (kind != Actor.Kind.TELEGRAM && kind != Actor.Kind.ORCHESTRATOR)) {
      return;
    }
    Applied a = byCommand.computeIfAbsent(key(e.releaseId(), e.causationId()), k -> new Applied());
    a.types.add(e.type());
    if (e.data() instanceof ReleaseEvent.ActionRefused r) {
      a.refusalReason = r.reason();
      a.refusalDetail = r.detail();
    }
  }

  /** Every remembered command, oldest first. */
  List<Entry> entries() {
    List<Entry> out = new ArrayList<>(byCommand.size());
    byCommand.forEach(
        (key, a) ->
            out.add(new Entry(key, List.copyOf(a.types), a.refusalReason, a.refusalDetail)));
    return out;
  }

  /** The same books, from a snapshot's {@link #entries()}. */
  AppliedCommands restored(List<Entry> entries) {
    AppliedCommands copy = new AppliedCommands(capacity);
    for (Entry e : entries) {
      Applied a = new Applied();
      a.types.addAll(e.types());
      a.refusalReason = e.refusalReason();
      a.refusalDetail = e.refusalDetail();
      copy.byCommand.put(e.key(), a);
    }
    return copy;
  }

  /** The answer the command got, or null when it has no events in the log. */
  Answer answer(String releaseId, String commandId) {
    Applied a = commandId == null ? null : byCommand.get(key(releaseId, commandId));
    if (a == null) {
      return null;
    }
    List<String> types = List.copyOf(a.types);
    if (a.refusalReason != null) {
      return new Answer(
          new Decision.Refused(refusal(a.refusalReason), a.refusalDetail, List.of()), types);
    }
    return new Answer(new Decision.Accepted(List.of()), types);
  }

  private static Decision.Refusal refusal(String reason) {
    try {
      return Decision.Refusal.valueOf(reason.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      return Decision.Refusal.NOT_ALLOWED;
    }
  }

  private static String key(String releaseId, String commandId) {
    return releaseId + '\n' + commandId;
  }
}
