package dev.rmm.api.console;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.audit.LogVerifier;
import java.util.List;

/**
 * The hash chain of one release, as the release page shows it: "verified up to event N", or the
 * first link that is broken. Each event the read model lists is read back from the log where the
 * projector found it (partition and offset) and fed, in log order, to the same {@link LogVerifier}
 * that {@code replay verify} uses; so the page checks the log's bytes, not the read model's copy.
 * An event missing at its place, or another event there, is the first broken link too. The last
 * event, which no later link vouches for, is checked against the hash the projector recorded when
 * it took the event in ({@code head_hash}).
 *
 * @param intact whether every listed event is in the log and the chain holds
 * @param verifiedUpTo the last event checked and found linked (0 when none)
 * @param problem what is wrong first, in words; null when intact
 */
public record ChainStatus(boolean intact, long verifiedUpTo, String problem) {

  /**
   * One event of the release as the read model lists it, and what the log holds at its place.
   *
   * @param stored the record's value at that place, or null when there is none
   * @param key the record's key, or null when there is none
   */
  public record Stored(long sequence, String eventId, String location, String key, byte[] stored) {}

  /**
   * The status of release {@code releaseId} whose listed events, in sequence order, are these.
   *
   * @param headHash the hash the read model recorded for the release's last event; null when it has
   *     none (projected before it kept one)
   */
  public static ChainStatus of(String releaseId, List<Stored> events, String headHash) {
    LogVerifier verifier = new LogVerifier();
    long verified = 0;
    for (Stored s : events) {
      if (s.stored() == null) {
        return broken(verified, "event " + s.sequence() + " is not in the log at " + s.location());
      }
      if (!releaseId.equals(s.key())) {
        return broken(
            verified,
            "the log holds another record at "
                + s.location()
                + ", where the read model has event "
                + s.sequence());
      }
      EventEnvelope e;
      try {
        e = EventCodec.decode(s.stored());
      } catch (EventCodec.MalformedEventException ex) {
        return broken(verified, "event " + s.sequence() + " at " + s.location() + " is unreadable");
      }
      if (!e.id().equals(s.eventId()) || e.sequence() != s.sequence()) {
        return broken(
            verified,
            "the log's event at "
                + s.location()
                + " is not the read model's event "
                + s.sequence());
      }
      verifier.accept(s.location(), s.key(), s.stored());
      LogVerifier.Report r = verifier.report();
      if (!r.intact()) {
        return broken(verified, r.problems().get(0).toString());
      }
      if (!r.voids().isEmpty()) {
        return broken(verified, r.voids().get(0).toString());
      }
      verified = s.sequence();
    }
    String head = verifier.report().heads().get(releaseId);
    if (head != null && headHash != null && !head.endsWith(":" + headHash)) {
      return broken(
          verified,
          "event "
              + verified
              + " as stored now is not the event the read model took in (its hash differs from"
              + " the head hash recorded then): it was altered after it was written");
    }
    return new ChainStatus(true, verified, null);
  }

  private static ChainStatus broken(long verified, String why) {
    return new ChainStatus(false, verified, why);
  }
}
