package dev.rmm.gateway.live;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.alerts.LogAlerts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * What the team chat (and the alerts chat) get from the events {@link TeamCards} read, decided
 * without I/O: which live cards to bring up to which version, whether a card is drawn now or waits
 * for the read model, which events are announced or alerted, and whether a card's message is kept,
 * edited or posted. {@link TeamCards} reads Kafka, the read model and Redis and talks to Telegram;
 * the rules live here, so they are tested without any of those.
 */
final class TeamChatUpdates {

  private TeamChatUpdates() {}

  /** An event that counts (valid in its chain, not handled before) and where it was read. */
  record Read(EventEnvelope event, TopicPartition partition, long offset) {}

  /**
   * A release's live card to bring up to {@code version}, the newest event of the batch that edits
   * the card, read at {@code partition} / {@code offset}.
   *
   * @param traceparent the trace of the release's last event in the batch (the card's edit
   *     continues it)
   */
  record CardUpdate(
      String releaseId, long version, String traceparent, TopicPartition partition, long offset) {}

  /**
   * What one batch brings.
   *
   * @param cards one per release whose card changes, in the order its first such event was read
   * @param events the events inside the backfill window, in log order: each may be announced or
   *     alerted
   */
  record Batch(List<CardUpdate> cards, List<EventEnvelope> events) {}

  /** What becomes of a card once the read model answered. */
  enum CardStep {
    /** the row reached the event: draw it */
    DRAW,
    /**
     * the row is missing or older than the event: wait for the read model ({@link PendingCards})
     */
    WAIT,
    /** there is no team chat: no card at all */
    NONE
  }

  /** The new messages one event brings: in the team chat, in the alerts chat. */
  record Notices(Optional<Announcements.Announcement> announcement, Optional<Alert> alert) {}

  /** How the card's message in the chat is brought up to date. */
  enum CardMessage {
    /** the message already shows this text and these buttons */
    KEEP,
    /** the message is there and shows something else */
    EDIT,
    /** no message is known for the release (or it was deleted): post a new one */
    POST
  }

  /**
   * @param oldest the start of the backfill window: older events are history, shown by nothing
   */
  static Batch of(List<Read> reads, Instant oldest) {
    Map<String, Read> newest = new LinkedHashMap<>();
    Map<String, String> traces = new HashMap<>();
    List<EventEnvelope> events = new ArrayList<>();
    for (Read r : reads) {
      EventEnvelope e = r.event();
      if (e.occurredAt().isBefore(oldest)) {
        continue;
      }
      events.add(e);
      traces.put(e.releaseId(), e.traceparent());
      Read known = newest.get(e.releaseId());
      if (Announcements.editsCard(e)
          && (known == null || e.sequence() >= known.event().sequence())) {
        newest.put(e.releaseId(), r);
      }
    }
    List<CardUpdate> cards = new ArrayList<>();
    newest.forEach(
        (id, r) ->
            cards.add(
                new CardUpdate(
                    id, r.event().sequence(), traces.get(id), r.partition(), r.offset())));
    return new Batch(cards, events);
  }

  /**
   * @param version the release's version the card must show
   * @param row the release as the read model holds it
   * @param teamChat whether a team chat is set
   */
  static CardStep card(long version, Optional<ReleaseView> row, boolean teamChat) {
    if (!teamChat) {
      return CardStep.NONE;
    }
    return row.isEmpty() || row.get().version() < version ? CardStep.WAIT : CardStep.DRAW;
  }

  /**
   * @param release the release from the read model, or null (the messages then name it by id)
   */
  static Notices notices(
      EventEnvelope e, ReleaseView release, Language lang, boolean teamChat, boolean alertsChat) {
    return new Notices(
        teamChat ? Announcements.of(e, release, lang) : Optional.empty(),
        alertsChat ? LogAlerts.of(e, release, lang) : Optional.empty());
  }

  /**
   * @param knownMessageId the card's message id remembered for the release, or null
   * @param showsAlready whether that message is known to show the card as it is now
   */
  static CardMessage message(String knownMessageId, boolean showsAlready) {
    if (knownMessageId == null) {
      return CardMessage.POST;
    }
    return showsAlready ? CardMessage.KEEP : CardMessage.EDIT;
  }
}
