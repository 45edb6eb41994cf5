package dev.rmm.local;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.audit.LogVerifier;
import dev.rmm.contracts.kafka.LogConsumers;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Replays the release log for audit, straight from Kafka (not the read model): the history of one
 * release, or the state of every release as of a moment, folded with the domain's own {@code
 * evolve} exactly as release-api does.
 *
 * <pre>
 * deploy/local/replay history &lt;release id&gt;
 * deploy/local/replay as-of &lt;ISO-8601 instant, e.g. 2026-11-27T10:00:00Z&gt;
 * deploy/local/replay verify
 * deploy/local/replay export &lt;release id&gt;
 * </pre>
 *
 * {@code verify} checks every release's hash chain and sequence numbers and names the first broken
 * or missing link of each (exit status 1 when there is one); {@code export} prints the release's
 * history as CloudEvents JSON lines in the CDEvents vocabulary ({@link CloudEventsExport}).
 *
 * <p>Options: {@code --bootstrap host:port} (default 127.0.0.1:9092), {@code --topic} (default
 * rmm.release-events).
 */
public final class Replay {

  private final String bootstrap;
  private final String topic;
  private final PrintStream out;

  public Replay(String bootstrap, String topic, PrintStream out) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.out = out;
  }

  public static void main(String[] args) {
    List<String> rest = new ArrayList<>();
    String bootstrap =
        "127.0.0.1:" + System.getenv().getOrDefault(LocalKafka.PORT_VARIABLE, "9092");
    String topic = "rmm.release-events";
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--bootstrap") && i + 1 < args.length) {
        bootstrap = args[++i];
      } else if (args[i].equals("--topic") && i + 1 < args.length) {
        topic = args[++i];
      } else {
        rest.add(args[i]);
      }
    }
    Replay replay = new Replay(bootstrap, topic, System.out);
    if (rest.size() == 2 && rest.get(0).equals("history")) {
      System.exit(replay.history(rest.get(1)) ? 0 : 1);
    } else if (rest.size() == 2 && rest.get(0).equals("as-of")) {
      try {
        replay.asOf(Instant.parse(rest.get(1)));
      } catch (DateTimeParseException e) {
        System.err.println(
            "not an ISO-8601 instant: " + rest.get(1) + " (e.g. 2026-11-27T10:00:00Z)");
        System.exit(2);
      }
    } else if (rest.size() == 1 && rest.get(0).equals("verify")) {
      System.exit(replay.verify().intact() ? 0 : 1);
    } else if (rest.size() == 2 && rest.get(0).equals("export")) {
      System.exit(replay.export(rest.get(1)) ? 0 : 1);
    } else {
      System.err.println(
          "usage: replay history <release id> | as-of <instant> | verify | export <release id>"
              + " [--bootstrap host:port] [--topic name]");
      System.exit(2);
    }
  }

  /** Prints every event of the release in order; false when the log has none. */
  public boolean history(String releaseId) {
    List<EventEnvelope> events = eventsOf(releaseId);
    if (events.isEmpty()) {
      return false;
    }
    for (EventEnvelope e : events) {
      var data = EventCodec.toJson(e).get("data");
      out.printf(
          "%3d %s %-32s %-12s %-24s %s%n",
          e.sequence(),
          e.occurredAt(),
          e.type(),
          e.actor().kind().name().toLowerCase(java.util.Locale.ROOT),
          e.actor().name(),
          data);
    }
    return true;
  }

  /**
   * Prints the release's history as CloudEvents JSON lines (nothing else goes to the output, so it
   * can be piped); false when the log has none of its events.
   */
  public boolean export(String releaseId) {
    List<EventEnvelope> events = eventsOf(releaseId);
    CloudEventsExport.lines(events).forEach(out::println);
    return !events.isEmpty();
  }

  /**
   * Walks every release's chain of events in the log and prints a summary, then the first broken or
   * missing link of each broken release.
   */
  public LogVerifier.Report verify() {
    LogVerifier verifier = new LogVerifier();
    readRecords(
        r ->
            verifier.accept(
                r.topic() + "-" + r.partition() + "@" + r.offset(), r.key(), r.value()));
    LogVerifier.Report report = verifier.report();
    out.printf(
        "%s: %d releases, %d events (%d written before hash chaining, checked by sequence only)%n",
        topic, report.releases(), report.events(), report.unchained());
    if (report.intact()) {
      out.println("OK: every release's chain is intact");
    } else {
      out.println("BROKEN: " + report.problems().size() + " release(s) with a broken chain");
      report.problems().forEach(p -> out.println("  " + p));
    }
    return report;
  }

  private List<EventEnvelope> eventsOf(String releaseId) {
    List<EventEnvelope> events = new ArrayList<>();
    read(
        e -> {
          if (e.releaseId().equals(releaseId)) {
            events.add(e);
          }
        });
    if (events.isEmpty()) {
      System.err.println("no events of release " + releaseId + " in " + topic);
    }
    events.sort(Comparator.comparingLong(EventEnvelope::sequence));
    return events;
  }

  /** Prints the state of every release at {@code moment}: events after it are left out. */
  public void asOf(Instant moment) {
    Map<String, ReleaseState> states = new TreeMap<>();
    read(
        e -> {
          if (!e.occurredAt().isAfter(moment)) {
            ReleaseState s = states.getOrDefault(e.releaseId(), ReleaseState.none(e.releaseId()));
            if (e.sequence() == s.version() + 1) {
              states.put(e.releaseId(), ReleaseDecider.evolve(s, e.data()));
            }
          }
        });
    out.println("releases as of " + moment + ": " + states.size());
    states.values().stream()
        .filter(ReleaseState::exists)
        .sorted(
            Comparator.comparing((ReleaseState s) -> s.spec().service())
                .thenComparing(s -> s.spec().tag()))
        .forEach(
            s ->
                out.printf(
                    "%s %-24s %-12s %-28s v%d approvals %d/%d%n",
                    s.releaseId(),
                    s.spec().service(),
                    s.spec().tag(),
                    s.status().wire(),
                    s.version(),
                    s.approvals().size(),
                    s.policy().quorum()));
  }

  /** Decodes the whole topic (committed records only) once, in partition order. */
  private void read(Consumer<EventEnvelope> each) {
    readRecords(
        r -> {
          try {
            each.accept(EventCodec.decode(r.value()));
          } catch (EventCodec.MalformedEventException e) {
            System.err.println(
                "unreadable record " + r.partition() + "@" + r.offset() + ": " + e.getMessage());
          }
        });
  }

  /** Reads the whole topic (committed records only) once, in partition order. */
  private void readRecords(Consumer<ConsumerRecord<String, byte[]>> each) {
    Properties p = LogConsumers.properties(bootstrap);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts =
          c.partitionsFor(topic, Duration.ofSeconds(15)).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          each.accept(r);
        }
      }
    }
  }
}
