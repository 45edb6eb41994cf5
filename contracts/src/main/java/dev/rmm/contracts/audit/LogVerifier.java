package dev.rmm.contracts.audit;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.log.ChainFold;
import dev.rmm.contracts.log.ChainRule;
import dev.rmm.contracts.log.Link;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the integrity of the release log: fed every stored event in log order, it follows each
 * release's sequence numbers and hash links ({@link EventChain}) and names, per release, the first
 * link that is broken or missing. Pure: the caller reads the log (Kafka, a file, an export).
 *
 * <p>Which events count is decided by {@link ChainRule}, as every reader decides it. An event that
 * does not count because it <em>lost a race</em> is not tampering: two writers may both append to
 * one release, and the second event for a slot stays in the log, void ({@link Report#voids()}). An
 * event is such a loser when it is a well-formed competitor for a slot already taken (its {@code
 * prevhash} is the genesis value and it is event 1, or the hash of an event of its release already
 * read whose sequence is one less, valid or void) and its id is new (a copy of an event already
 * read is a duplicated record). A hash chain cannot tell a loser from a forged competitor appended
 * in its shape; either way no reader counts it. To recognise losers the verifier remembers the hash
 * and id of every event it has read, about 150 bytes per event.
 *
 * <p>What a hash chain cannot show on its own: the removal of a release's <em>last</em> events, or
 * a rewrite of a whole chain from some event on. {@link Report#heads()} gives the hash of every
 * release's newest event, to be compared with a copy kept elsewhere (an earlier report, the read
 * model's version).
 */
public final class LogVerifier {

  /** The first thing wrong with one release's chain. */
  public record Problem(String releaseId, long sequence, String location, String what) {
    @Override
    public String toString() {
      return "release " + releaseId + ", event " + sequence + " at " + location + ": " + what;
    }
  }

  /** An event that lost a race for its slot: it stays in the log and no reader counts it. */
  public record VoidEvent(String releaseId, long sequence, String location, String what) {
    @Override
    public String toString() {
      return "release " + releaseId + ", event " + sequence + " at " + location + ": " + what;
    }
  }

  /**
   * @param releases releases seen
   * @param events events read (unreadable and void ones included)
   * @param unchained events written before hash chaining existed (they are checked by sequence
   *     only)
   * @param problems the first problem of each broken release, in log order
   * @param voids the events that lost a race, in log order (not problems)
   * @param heads every release's newest sequence number and hash, {@code "seq:hash"}
   */
  public record Report(
      int releases,
      long events,
      long unchained,
      List<Problem> problems,
      List<VoidEvent> voids,
      Map<String, String> heads) {
    /** Whether no release's chain is broken (void events that lost a race are no break). */
    public boolean intact() {
      return problems.isEmpty();
    }
  }

  /** What the verifier remembers of one release besides its head. */
  private static final class Chain {
    /** The sequence number of every event read, valid or void, by its hash as stored. */
    final Map<String, Long> sequenceOfHash = new HashMap<>();

    final Set<String> ids = new HashSet<>();
    boolean broken;

    void seen(EventEnvelope e, String hash) {
      sequenceOfHash.put(hash, e.sequence());
      ids.add(e.id());
    }
  }

  private final ChainFold fold = new ChainFold();
  private final Map<String, Chain> chains = new LinkedHashMap<>();
  private final List<VoidEvent> voids = new ArrayList<>();
  private final List<Problem> problems = new ArrayList<>();
  private long events;
  private long unchained;

  /**
   * The cutover: where each partition's first chained event is. An event without a hash link after
   * it cannot be from rmm's writer (it chains every event since chaining exists), so it is
   * tampering, not an old event: without this an appended event of a new release that simply left
   * out {@code prevhash} passed as a pre-chaining one.
   */
  private final Map<String, String> chainedSince = new HashMap<>();

  /**
   * Checks the next stored event.
   *
   * @param location where it is stored, e.g. {@code rmm.release-events-2@118}
   * @param key the record key (the release id)
   * @param stored the record value, byte for byte
   */
  public void accept(String location, String key, byte[] stored) {
    events++;
    EventEnvelope e;
    try {
      e = EventCodec.decode(stored);
    } catch (EventCodec.MalformedEventException ex) {
      String release = key == null ? "(no key)" : key;
      fail(
          chains.computeIfAbsent(release, k -> new Chain()),
          release,
          -1,
          location,
          "unreadable event: " + ex.getMessage());
      return;
    }
    Chain c = chains.computeIfAbsent(e.releaseId(), k -> new Chain());
    if (c.broken) {
      return;
    }
    long seq = e.sequence();
    if (key != null && !key.equals(e.releaseId())) {
      fail(
          c,
          e.releaseId(),
          seq,
          location,
          "stored under key " + key + " but belongs to release " + e.releaseId());
      return;
    }
    String partition = partitionOf(location);
    if (e.prevHash() == null && chainedSince.containsKey(partition)) {
      fail(
          c,
          e.releaseId(),
          seq,
          location,
          "event "
              + seq
              + " ("
              + e.id()
              + ") has no hash link, but this partition's events are chained since "
              + chainedSince.get(partition)
              + ": only a log written before hash chaining existed may hold such events, so it"
              + " was written by something else than rmm's writer");
      return;
    }
    if (e.prevHash() != null) {
      chainedSince.putIfAbsent(partition, location);
    }
    ChainRule.Head head = fold.head(e.releaseId());
    Link link = fold.accept(e, stored);
    if (link instanceof Link.Valid v) {
      if (e.prevHash() == null) {
        unchained++;
      }
      c.seen(e, v.head().hash());
      return;
    }
    if (lostARace(c, e)) {
      c.seen(e, EventChain.hash(stored));
      voids.add(
          new VoidEvent(
              e.releaseId(),
              seq,
              location,
              "void (lost a race): " + ((Link.Void) link).why() + " (" + e.id() + ")"));
      return;
    }
    describe(c, head, e, location);
  }

  /** The partition part of a location ({@code rmm.release-events-2@118}: the part before @). */
  private static String partitionOf(String location) {
    int at = location.lastIndexOf('@');
    return at < 0 ? location : location.substring(0, at);
  }

  /**
   * Whether {@code e}, which does not follow its release's head, is a well-formed competitor for a
   * slot already taken (or follows such a competitor) rather than a sign of tampering.
   */
  private static boolean lostARace(Chain c, EventEnvelope e) {
    if (e.prevHash() == null || c.ids.contains(e.id())) {
      return false;
    }
    if (e.sequence() == 1) {
      return e.prevHash().equals(EventChain.GENESIS);
    }
    Long before = c.sequenceOfHash.get(e.prevHash());
    return before != null && before == e.sequence() - 1;
  }

  /** Names what is wrong with {@code e}, which neither follows the head nor lost a race. */
  private void describe(Chain c, ChainRule.Head head, EventEnvelope e, String location) {
    long seq = e.sequence();
    if (seq <= head.sequence() || c.ids.contains(e.id())) {
      fail(
          c,
          e.releaseId(),
          seq,
          location,
          "event "
              + seq
              + " ("
              + e.id()
              + ") appears again after event "
              + head.sequence()
              + ": a duplicated or reordered record");
      return;
    }
    if (seq > head.sequence() + 1) {
      String missing =
          seq == head.sequence() + 2
              ? "event " + (head.sequence() + 1) + " is"
              : "events " + (head.sequence() + 1) + ".." + (seq - 1) + " are";
      fail(
          c,
          e.releaseId(),
          seq,
          location,
          missing
              + " missing: the log goes from event "
              + head.sequence()
              + " to event "
              + seq
              + " ("
              + e.id()
              + ")");
      return;
    }
    if (e.prevHash() == null) {
      fail(
          c,
          e.releaseId(),
          seq,
          location,
          "event "
              + seq
              + " ("
              + e.id()
              + ") has no hash link although the events before it"
              + " have: it was rewritten");
      return;
    }
    fail(
        c,
        e.releaseId(),
        seq,
        location,
        seq == 1
            ? "the first event ("
                + e.id()
                + ") links to "
                + shortHash(e.prevHash())
                + " instead of the genesis value: events before it were removed or it was forged"
            : "event "
                + seq
                + " ("
                + e.id()
                + ") does not chain to event "
                + (seq - 1)
                + ": it links to "
                + shortHash(e.prevHash())
                + " but event "
                + (seq - 1)
                + " as stored hashes to "
                + shortHash(head.hash())
                + ", so event "
                + (seq - 1)
                + " was altered after it was written (or this one was forged)");
  }

  public Report report() {
    Map<String, String> heads = new LinkedHashMap<>();
    chains.forEach(
        (id, c) -> {
          ChainRule.Head h = fold.head(id);
          heads.put(id, h.sequence() + ":" + h.hash());
        });
    return new Report(
        chains.size(), events, unchained, List.copyOf(problems), List.copyOf(voids), heads);
  }

  private void fail(Chain c, String release, long seq, String location, String what) {
    c.broken = true;
    problems.add(new Problem(release, seq, location, what));
  }

  private static String shortHash(String h) {
    return h.length() > 12 ? h.substring(0, 12) + "…" : h;
  }
}
