package dev.rmm.local;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.audit.Checkpoint;
import dev.rmm.contracts.audit.CheckpointKeys;
import dev.rmm.contracts.audit.LogVerifier;
import dev.rmm.contracts.audit.PartitionDigest;
import dev.rmm.contracts.export.CloudEventsExport;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.log.AsOfFold;
import dev.rmm.contracts.log.ChainFold;
import dev.rmm.contracts.log.Link;
import java.io.PrintStream;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Replays the release log for audit, straight from Kafka (not the read model): the history of one
 * release, or the state of every release as of a moment, folded through the chain rule ({@link
 * dev.rmm.contracts.log.ChainRule}) and the domain's own {@code evolve} exactly as release-api
 * does. Only events that count change a state; an event that lost a race to another writer's is
 * <em>void</em>: it stays in the log and every reader ignores it.
 *
 * <pre>
 * deploy/local/replay history &lt;release id&gt;
 * deploy/local/replay as-of &lt;ISO-8601 instant, e.g. 2026-11-27T10:00:00Z&gt;
 * deploy/local/replay verify
 * deploy/local/replay export &lt;release id&gt;
 * </pre>
 *
 * {@code history} prints the release's events in log order, a void one as {@code void: <why>} after
 * its sequence number (exit status 1 when the release has no event that counts). {@code as-of} uses
 * only the events that count. {@code verify} checks every release's hash chain and sequence numbers
 * and names the first broken or missing link of each (exit status 1 when there is one); events that
 * lost a race are listed as void, not as breaks (exit status 0 when they are all it finds). {@code
 * export} prints the release's history as CloudEvents JSON lines in the CDEvents vocabulary, void
 * events left out ({@link CloudEventsExport}).
 *
 * <p>Options: {@code --bootstrap host:port} (default 127.0.0.1:9092), {@code --topic} (default
 * rmm.release-events), {@code --policies} (default rmm.release-policies: {@code verify} checks the
 * chain of the policy in force too, subject {@code policy}).
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
    String publicKey = null;
    String checkpoints = "rmm.release-checkpoints";
    String policies = "rmm.release-policies";
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--bootstrap") && i + 1 < args.length) {
        bootstrap = args[++i];
      } else if (args[i].equals("--public-key") && i + 1 < args.length) {
        publicKey = args[++i];
      } else if (args[i].equals("--policies") && i + 1 < args.length) {
        policies = args[++i];
      } else if (args[i].equals("--checkpoints") && i + 1 < args.length) {
        checkpoints = args[++i];
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
      boolean intact = replay.verify().intact();
      // the policy in force is part of the audit trail: its chain is checked the same way
      intact &= new Replay(bootstrap, policies, System.out).verify().intact();
      if (publicKey != null) {
        intact &= replay.verifyCheckpoints(checkpoints, CheckpointKeys.publicKey(key(publicKey)));
      }
      System.exit(intact ? 0 : 1);
    } else if (rest.size() == 2 && rest.get(0).equals("export")) {
      System.exit(replay.export(rest.get(1)) ? 0 : 1);
    } else {
      System.err.println(
          "usage: replay history <release id> | as-of <instant> | verify | export <release id>"
              + " [--bootstrap host:port] [--topic name] [--policies topic]\n"
              + "  [--public-key <base64 X.509 or @file>] [--checkpoints topic]\n"
              + "  history: the release's events in log order; one that lost a race to another"
              + " writer's is marked 'void: <why>' and counts for nothing\n"
              + "  as-of: the state of every release at that moment, from the events that count\n"
              + "  verify: every release's hash chain, and the policy topic's; exit 1 on a broken"
              + " or missing link, 0 when"
              + " it finds only void events (listed); with --public-key also every signed"
              + " checkpoint: its signature, and that the log below it still has its digest\n"
              + "  export: the release's events that count as CloudEvents JSON lines");
      System.exit(2);
    }
  }

  /**
   * Prints every event of the release in log order, a void one marked {@code void: <why>}; false
   * when none of its events counts.
   */
  public boolean history(String releaseId) {
    ChainFold fold = new ChainFold();
    boolean any = false;
    for (byte[] stored : storedOf(releaseId)) {
      Link link = fold.accept(releaseId, stored);
      if (link instanceof Link.Unreadable u) {
        System.err.println("unreadable record of release " + releaseId + ": " + u.why());
        continue;
      }
      EventEnvelope e = link.eventOrNull();
      String kind = e.actor().kind().name().toLowerCase(Locale.ROOT);
      if (link instanceof Link.Void v) {
        out.printf(
            "%3d void: %s [%s %s by %s %s]%n",
            e.sequence(), v.why(), e.id(), e.type(), kind, e.actor().name());
        continue;
      }
      any = true;
      out.printf(
          "%3d %s %-32s %-12s %-24s %s%n",
          e.sequence(),
          e.occurredAt(),
          e.type(),
          kind,
          e.actor().name(),
          EventCodec.toJson(e).get("data"));
    }
    if (!any) {
      System.err.println("no event of release " + releaseId + " that counts in " + topic);
    }
    return any;
  }

  /**
   * Prints the release's history as CloudEvents JSON lines (nothing else goes to the output, so it
   * can be piped), void events left out; false when none of its events counts.
   */
  public boolean export(String releaseId) {
    List<String> lines = CloudEventsExport.lines(releaseId, storedOf(releaseId));
    lines.forEach(out::println);
    if (lines.isEmpty()) {
      System.err.println("no event of release " + releaseId + " that counts in " + topic);
    }
    return !lines.isEmpty();
  }

  /**
   * Walks every release's chain of events in the log and prints a summary, then the first broken or
   * missing link of each broken release, then the void events (they lost a race: not a break).
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
    if (!report.voids().isEmpty()) {
      out.println(
          report.voids().size()
              + " void event(s) that lost a race to another writer's (not a break: they stay in"
              + " the log and no reader counts them):");
      report.voids().forEach(v -> out.println("  " + v));
    }
    return report;
  }

  /**
   * Checks every signed checkpoint on {@code checkpointsTopic} against the log: its Ed25519
   * signature with {@code key}, and the partition's digest of valid events below its offset,
   * recomputed here. Also reports any event without a chain link at or after a partition's first
   * checkpoint (the writer has chained every event since long before checkpoints began). True when
   * there is at least one checkpoint and all hold.
   */
  public boolean verifyCheckpoints(String checkpointsTopic, PublicKey key) {
    Map<Integer, java.util.PriorityQueue<Checkpoint>> pending = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    int[] total = {0};
    readRecords(
        checkpointsTopic,
        r -> {
          Checkpoint c;
          try {
            c = Checkpoint.decode(r.value());
          } catch (IllegalArgumentException e) {
            problems.add("unreadable checkpoint at " + r.partition() + "@" + r.offset());
            return;
          }
          total[0]++;
          if (!c.topic().equals(topic)) {
            return;
          }
          if (!c.signedBy(key)) {
            problems.add("checkpoint " + c.partition() + "@" + c.offset() + ": bad signature");
            return;
          }
          pending
              .computeIfAbsent(
                  c.partition(),
                  p -> new java.util.PriorityQueue<>(Comparator.comparingLong(Checkpoint::offset)))
              .add(c);
        });
    Map<Integer, Long> firstCheckpoint = new TreeMap<>();
    pending.forEach(
        (p, q) -> firstCheckpoint.put(p, q.stream().mapToLong(Checkpoint::offset).min().orElse(0)));
    Map<Integer, PartitionDigest> digests = new TreeMap<>();
    ChainFold chain = new ChainFold();
    int[] checked = {0};
    readRecords(
        topic,
        r -> {
          java.util.PriorityQueue<Checkpoint> q = pending.get(r.partition());
          PartitionDigest d = digests.computeIfAbsent(r.partition(), p -> new PartitionDigest());
          while (q != null && !q.isEmpty() && q.peek().offset() <= r.offset()) {
            checked[0] += compare(q.poll(), d, problems);
          }
          if (chain.accept(r.key(), r.value()) instanceof Link.Valid v) {
            d.add(v.head().hash());
            Long first = firstCheckpoint.get(r.partition());
            if (v.event().prevHash() == null && first != null && r.offset() >= first) {
              problems.add(
                  "unchained event "
                      + v.event().id()
                      + " at "
                      + r.partition()
                      + "@"
                      + r.offset()
                      + ", after checkpoints began: not written by release-api");
            }
          }
        });
    pending.forEach(
        (p, q) -> {
          PartitionDigest d = digests.computeIfAbsent(p, x -> new PartitionDigest());
          while (!q.isEmpty()) {
            checked[0] += compare(q.poll(), d, problems);
          }
        });
    out.printf(
        "%s: %d checkpoints, %d checked against the log, key %s%n",
        checkpointsTopic, total[0], checked[0], CheckpointKeys.keyId(key));
    if (checked[0] == 0 && problems.isEmpty()) {
      problems.add("no signed checkpoint of " + topic + " to check");
    }
    if (problems.isEmpty()) {
      out.println("OK: every checkpoint is signed by the key and the log below it is unchanged");
      return true;
    }
    out.println("CHECKPOINTS FAILED: " + problems.size() + " problem(s)");
    problems.forEach(p -> out.println("  " + p));
    return false;
  }

  /** 1 when the checkpoint matches the digest of the events read so far; else records why. */
  private static int compare(Checkpoint c, PartitionDigest d, List<String> problems) {
    if (!c.digest().equals(d.value()) || c.events() != d.events()) {
      problems.add(
          "checkpoint "
              + c.partition()
              + "@"
              + c.offset()
              + " signed at "
              + c.signedAt()
              + " says "
              + c.events()
              + " valid events with digest "
              + c.digest()
              + ", the log now has "
              + d.events()
              + " with "
              + d.value()
              + ": the log below it was changed");
      return 0;
    }
    return 1;
  }

  private static String key(String arg) {
    if (!arg.startsWith("@")) {
      return arg;
    }
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of(arg.substring(1))).trim();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read the public key file " + arg.substring(1), e);
    }
  }

  /** The records stored under the release's key, in log order. */
  private List<byte[]> storedOf(String releaseId) {
    List<byte[]> stored = new ArrayList<>();
    readRecords(
        r -> {
          if (releaseId.equals(r.key())) {
            stored.add(r.value());
          }
        });
    return stored;
  }

  /**
   * Prints the state of every release at {@code moment}, from the events that count: a release's
   * valid events up to the first one after the moment ({@link AsOfFold}, the fold the web console's
   * audit page uses too).
   */
  public void asOf(Instant moment) {
    AsOfFold fold = new AsOfFold(moment);
    readRecords(
        r -> {
          if (fold.accept(r.key(), r.value()) instanceof Link.Unreadable u) {
            System.err.println(
                "unreadable record " + r.partition() + "@" + r.offset() + ": " + u.why());
          }
        });
    List<ReleaseState> releases = fold.releases();
    out.println("releases as of " + moment + ": " + releases.size());
    releases.forEach(
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

  /** Reads the whole topic (committed records only) once, in partition order. */
  private void readRecords(Consumer<ConsumerRecord<String, byte[]>> each) {
    readRecords(topic, each);
  }

  private void readRecords(String topic, Consumer<ConsumerRecord<String, byte[]>> each) {
    Properties p = LogConsumers.properties(bootstrap);
    try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(p)) {
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
