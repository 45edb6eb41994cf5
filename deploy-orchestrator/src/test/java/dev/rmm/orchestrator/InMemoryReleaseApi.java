package dev.rmm.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * release-api as the orchestrator's {@link Commands} meet it, in memory: each release's events in a
 * list, a command decided by the domain's own {@link ReleaseDecider} against the release's folded
 * state, its events appended, and the answer shaped as release-api's command results are ({@code
 * outcome}, {@code reason}, {@code detail}, {@code events}). For the given / when / then unit tests
 * of {@code Dispatches} and {@code Rollbacks}: given events, when the class acts, then these
 * commands were sent and these events appended. {@link #silent()} answers nothing, as a release-api
 * that does not answer in time.
 */
public final class InMemoryReleaseApi extends Commands {

  public static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-test", "deploy-orchestrator");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, List<ReleaseEvent>> logs = new ConcurrentHashMap<>();
  private final List<ReleaseCommand> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean silent;

  public InMemoryReleaseApi() {
    super(null, Duration.ZERO, ORCHESTRATOR);
  }

  /** Given: these events are in the release's log already (appended as they are, not decided). */
  public InMemoryReleaseApi given(String releaseId, ReleaseEvent... events) {
    List<ReleaseEvent> log = logs.computeIfAbsent(releaseId, id -> new ArrayList<>());
    synchronized (log) {
      log.addAll(List.of(events));
    }
    return this;
  }

  /** From now on no command is answered (the orchestrator tries again later). */
  public void silent() {
    silent = true;
  }

  /** The release folded through the domain's evolve, as the orchestrator reads it from the log. */
  public ReleaseState state(String releaseId) {
    ReleaseState s = ReleaseState.none(releaseId);
    for (ReleaseEvent e : events(releaseId)) {
      s = ReleaseDecider.evolve(s, e);
    }
    return s;
  }

  /** The release's events, given and appended, in order. */
  public List<ReleaseEvent> events(String releaseId) {
    List<ReleaseEvent> log = logs.getOrDefault(releaseId, List.of());
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /** The release's events of one type, given and appended, in order. */
  public <T extends ReleaseEvent> List<T> ofType(String releaseId, Class<T> type) {
    return events(releaseId).stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Every command sent, answered or not, in order. */
  public List<ReleaseCommand> sent() {
    return List.copyOf(sent);
  }

  @Override
  public Optional<JsonNode> decide(ReleaseCommand command, String id) {
    sent.add(command);
    if (silent) {
      return Optional.empty();
    }
    List<ReleaseEvent> log = logs.computeIfAbsent(command.releaseId(), r -> new ArrayList<>());
    ObjectNode answer = JSON.createObjectNode();
    synchronized (log) {
      Decision d = ReleaseDecider.decide(command, state(command.releaseId()));
      if (d instanceof Decision.Refused r) {
        answer.put("outcome", "refused");
        answer.put("reason", r.reason().name().toLowerCase(Locale.ROOT));
        answer.put("detail", r.detail());
      } else {
        answer.put("outcome", "accepted");
      }
      ArrayNode types = answer.putArray("events");
      for (ReleaseEvent e : d.events()) {
        log.add(e);
        types.add(e.type());
      }
    }
    return Optional.of(answer);
  }

  @Override
  public void close() {
    // no channel to close
  }
}
