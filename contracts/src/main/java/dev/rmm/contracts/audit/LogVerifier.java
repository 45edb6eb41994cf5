package dev.rmm.contracts.audit;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the integrity of the release log: fed every stored event in log order, it follows each
 * release's sequence numbers and hash links ({@link EventChain}) and names, per release, the first
 * link that is broken or missing. Pure: the caller reads the log (Kafka, a file, an export).
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

  /**
   * @param releases releases seen
   * @param events events read (unreadable ones included)
   * @param unchained events written before hash chaining existed (they are checked by sequence
   *     only)
   * @param problems the first problem of each broken release, in log order
   * @param heads every release's newest sequence number and hash, {@code "seq:hash"}
   */
  public record Report(
      int releases,
      long events,
      long unchained,
      List<Problem> problems,
      Map<String, String> heads) {
    public boolean intact() {
      return problems.isEmpty();
    }
  }

  private static final class Chain {
    long sequence;
    String hash;
    boolean hashed;
    boolean broken;
  }

  private final Map<String, Chain> chains = new LinkedHashMap<>();
  private final List<Problem> problems = new ArrayList<>();
  private long events;
  private long unchained;

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
    if (seq > c.sequence + 1) {
      String missing =
          seq == c.sequence + 2
              ? "event " + (c.sequence + 1) + " is"
              : "events " + (c.sequence + 1) + ".." + (seq - 1) + " are";
      fail(
          c,
          e.releaseId(),
          seq,
          location,
          missing
              + " missing: the log goes from event "
              + c.sequence
              + " to event "
              + seq
              + " ("
              + e.id()
              + ")");
      return;
    }
    if (seq <= c.sequence) {
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
              + c.sequence
              + ": a duplicated or reordered record");
      return;
    }
    String expected = seq == 1 ? EventChain.GENESIS : c.hash;
    if (e.prevHash() == null) {
      if (c.hashed) {
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
      unchained++;
    } else if (!e.prevHash().equals(expected)) {
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
                  + shortHash(expected)
                  + ", so event "
                  + (seq - 1)
                  + " was altered after it was written (or this one was forged)");
      return;
    } else {
      c.hashed = true;
    }
    c.sequence = seq;
    c.hash = EventChain.hash(stored);
  }

  public Report report() {
    Map<String, String> heads = new LinkedHashMap<>();
    chains.forEach((id, c) -> heads.put(id, c.sequence + ":" + c.hash));
    return new Report(chains.size(), events, unchained, List.copyOf(problems), heads);
  }

  private void fail(Chain c, String release, long seq, String location, String what) {
    c.broken = true;
    problems.add(new Problem(release, seq, location, what));
  }

  private static String shortHash(String h) {
    return h.length() > 12 ? h.substring(0, 12) + "…" : h;
  }
}
