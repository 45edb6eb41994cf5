package dev.rmm.gateway.live;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.kafka.ConsumerLoop;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.kafka.RecordTracing;
import dev.rmm.contracts.log.Link;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.contracts.tracing.TraceContext;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.alerts.AlertsChat;
import dev.rmm.gateway.alerts.BreakGlassAlertButton;
import dev.rmm.gateway.alerts.LogAlerts;
import dev.rmm.gateway.bot.Cards;
import dev.rmm.gateway.bot.Replies;
import dev.rmm.gateway.card.ReleaseCard.Card;
import dev.rmm.gateway.releases.ReleaseReader;
import dev.rmm.gateway.telegram.BotClient;
import dev.rmm.gateway.telegram.BotClient.Delivery;
import dev.rmm.gateway.telegram.ShownMessages;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.methods.updatingmessages.EditMessageText;
import org.telegram.telegrambots.meta.api.objects.LinkPreviewOptions;
import org.telegram.telegrambots.meta.api.objects.ReplyParameters;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/**
 * The team chat's view of the release log: one live card per release, edited in place as events
 * arrive, and a new message only when people must act or know ({@link Announcements}).
 *
 * <p>Reads the event topic in its own consumer group and commits a batch only after Telegram took
 * it: a crash repeats work, it never skips a notification. A repeat is harmless: cards are edited
 * to the read model's current state, and a notification already sent is remembered in Redis by
 * event id. Telegram's rate limits are waited out; a chat that blocked the bot is logged and
 * skipped.
 *
 * <p>Only events that count are shown: an event that lost a race to another writer's (void, see
 * {@link dev.rmm.contracts.log.ChainRule}) stays in the log and is ignored here, as by every
 * reader. To judge that, each assigned partition is folded from its beginning ({@link
 * ResumedChains}).
 *
 * <p>A card shows the read model's row, which release-projector writes a little after the event. A
 * card whose row is still older than its event is not drawn from that row (it would show an old
 * status until the release's next event, for its last event for good): it waits ({@link
 * PendingCards}) and is drawn once the row has caught up, and the event's position is not committed
 * while it waits, so a restart draws it too.
 *
 * <p>The same reading feeds the alerts chat with the events that mean a failure ({@link
 * LogAlerts}), so it also runs when only an alerts chat is set (then without cards).
 *
 * <p>This class does the I/O; what each batch brings to which chat is decided by {@link
 * TeamChatUpdates}, without it.
 */
@ApplicationScoped
public class TeamCards {

  private static final Logger LOG = Logger.getLogger(TeamCards.class);

  /** The consumer group of the team chat's cards. */
  public static final String GROUP = "rmm-telegram-gateway";

  /**
   * How long one batch waits for the read model to reach its events before the cards still behind
   * wait in {@link PendingCards}: the projector is usually a few milliseconds behind.
   */
  private static final Duration READ_MODEL_PATIENCE = Duration.ofSeconds(2);

  private static final long NOTIFIED_TTL_SECONDS = Duration.ofDays(7).toSeconds();

  private final String topic;
  private final Duration backfill;
  private final Language language;
  private final ReleaseReader reader;
  private final Cards cards;
  private final Replies replies;
  private final ValueCommands<String, String> redis;
  private final AlertsChat alerts;
  private final Tracer tracer;
  private final ShownMessages shown;
  private final ConsumerLoop loop;
  private Long chatId;
  private volatile int waitingCards;

  TeamCards(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
      GatewayConfig config,
      ReleaseReader reader,
      Cards cards,
      Replies replies,
      RedisDataSource redis,
      AlertsChat alerts,
      ShownMessages shown,
      Tracer tracer) {
    this.tracer = tracer;
    this.shown = shown;
    this.topic = config.topics().events();
    this.backfill = config.telegram().teamBackfill();
    this.language = cards.teamLanguage();
    this.reader = reader;
    this.cards = cards;
    this.replies = replies;
    this.redis = redis.value(String.class);
    this.alerts = alerts;
    this.loop =
        new ConsumerLoop(
            "rmm-team-cards",
            properties(bootstrap),
            new Reading(),
            Duration.ofMillis(500),
            config.telegram().readerRestartDelay(),
            Duration.ofSeconds(10),
            e -> alerts.report(Alert.consumerError("telegram-gateway", GROUP, e, null)));
  }

  /**
   * @param teamChatId the team chat, or null for no cards (the log then only feeds the alerts)
   */
  public synchronized void start(Long teamChatId) {
    if (loop.isRunning()) {
      return;
    }
    this.chatId = teamChatId;
    loop.start();
    if (teamChatId != null) {
      LOG.infof("Live release cards go to team chat %d", teamChatId);
    }
  }

  public synchronized void stop() {
    loop.stop();
  }

  /** How the reading moves, for the readiness check. */
  public ConsumerLoop.Progress progress() {
    return loop.progress();
  }

  /** Whether the reading was started and not stopped. */
  public boolean isRunning() {
    return loop.isRunning();
  }

  /** Cards waiting for the read model to reach their event (as of the last poll). */
  public int waitingCards() {
    return waitingCards;
  }

  private static Properties properties(String bootstrap) {
    Properties p = LogConsumers.properties(bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Telegram's rate limits may hold a batch for minutes: that is not a dead consumer
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    // a card edited 20 ms later is not noticed; fewer, larger fetches cost less CPU
    return LogConsumers.gathering(p, Duration.ofMillis(20));
  }

  /**
   * What the loop does with its consumer: each batch handled, then committed up to the first card
   * still waiting for the read model; waiting cards are tried again at every poll that they are
   * due; a failure restarts it after rmm.telegram.reader-restart-delay (5 s) from the last
   * committed event. The chains and the waiting cards belong to one consumer (its assignments).
   */
  private final class Reading implements ConsumerLoop.Session {
    private ResumedChains chains;
    private final PendingCards pending = new PendingCards();

    /** Per partition: the offset after the last record handled, and the offset last committed. */
    private final Map<TopicPartition, Long> handledTo = new HashMap<>();

    private final Map<TopicPartition, Long> committedTo = new HashMap<>();

    @Override
    public void open(KafkaConsumer<String, byte[]> c) {
      ResumedChains resumed = new ResumedChains();
      chains = resumed;
      c.subscribe(
          List.of(topic),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> parts) {
              resumed.assigned(c, parts);
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> parts) {
              resumed.revoked(parts);
              pending.revoked(parts); // the next owner reads them from the committed offset
              handledTo.keySet().removeAll(parts);
              committedTo.keySet().removeAll(parts);
            }
          });
    }

    @Override
    public void handle(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> batch) {
      if (!batch.isEmpty()) {
        TeamCards.this.handle(batch, chains, pending);
        chains.toCommit(batch).forEach((tp, o) -> handledTo.put(tp, o.offset()));
      }
      drawWaiting(pending);
      waitingCards = pending.size();
      Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
      handledTo.forEach(
          (tp, to) -> {
            long upTo = Math.min(to, pending.lowestOffset(tp).orElse(to));
            if (upTo > committedTo.getOrDefault(tp, -1L)) {
              done.put(tp, new OffsetAndMetadata(upTo));
            }
          });
      if (!done.isEmpty()) {
        c.commitSync(done);
        done.forEach((tp, o) -> committedTo.put(tp, o.offset()));
      }
    }

    @Override
    public void closed() {
      chains = null;
      pending.clear();
      handledTo.clear();
      committedTo.clear();
      waitingCards = 0;
    }
  }

  private void handle(
      ConsumerRecords<String, byte[]> batch, ResumedChains chains, PendingCards pending) {
    List<TeamChatUpdates.Read> reads = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : batch) {
      Link link = chains.fold(r); // every record, also the ones handled before, to know the heads
      if (chains.handledBefore(r)) {
        continue;
      }
      if (link instanceof Link.Unreadable u) {
        LOG.warnf(
            "Skipping an unreadable event at %s-%d offset %d: %s",
            r.topic(), r.partition(), r.offset(), u.why());
        continue;
      }
      if (link instanceof Link.Void v) {
        LOG.infof(
            "Ignoring a void event at %s-%d offset %d: %s",
            r.topic(), r.partition(), r.offset(), v.why());
        continue;
      }
      reads.add(
          new TeamChatUpdates.Read(
              ((Link.Valid) link).event(),
              new TopicPartition(r.topic(), r.partition()),
              r.offset()));
    }
    TeamChatUpdates.Batch updates = TeamChatUpdates.of(reads, Instant.now().minus(backfill));
    Optional<BotClient> bot = replies.bot();
    if (bot.isEmpty()) {
      return;
    }
    Map<String, ReleaseView> releases = new LinkedHashMap<>();
    long patienceEnds = System.nanoTime() + READ_MODEL_PATIENCE.toNanos();
    for (TeamChatUpdates.CardUpdate u : updates.cards()) {
      String id = u.releaseId();
      Duration patience = Duration.ofNanos(Math.max(0, patienceEnds - System.nanoTime()));
      Optional<ReleaseView> r = reader.releaseAtLeast(id, u.version(), patience);
      r.ifPresent(row -> releases.put(id, row)); // an older row still names it in announcements
      switch (TeamChatUpdates.card(u.version(), r, chatId != null)) {
        case WAIT -> {
          LOG.infof(
              "The read model has release %s at version %s, behind its event %d (is"
                  + " release-projector running?); its card is drawn once the read model catches"
                  + " up",
              id, r.map(row -> String.valueOf(row.version())).orElse("none"), u.version());
          pending.waitFor(
              id, u.version(), u.traceparent(), u.partition(), u.offset(), System.nanoTime());
        }
        case DRAW -> {
          drawCard(bot.get(), r.get(), u.traceparent());
          pending.drawn(id, r.get().version());
        }
        case NONE -> {}
      }
    }
    for (EventEnvelope e : updates.events()) {
      TeamChatUpdates.Notices n =
          TeamChatUpdates.notices(
              e, releases.get(e.releaseId()), language, chatId != null, alerts.enabled());
      n.announcement().ifPresent(a -> announce(bot.get(), e, a));
      n.alert()
          .ifPresent(
              a -> alerts.report(a, BreakGlassAlertButton.of(e, cards.callbacks(), language)));
    }
  }

  /** Draws the waiting cards that are due whose row has caught up; the others wait longer. */
  private void drawWaiting(PendingCards pending) {
    Optional<BotClient> bot = replies.bot();
    if (bot.isEmpty()) {
      return;
    }
    for (PendingCards.Pending p : pending.due(System.nanoTime())) {
      Optional<ReleaseView> r = reader.release(p.releaseId());
      if (TeamChatUpdates.card(p.version(), r, chatId != null) != TeamChatUpdates.CardStep.DRAW) {
        pending.later(p, System.nanoTime());
        continue;
      }
      drawCard(bot.get(), r.get(), p.traceparent());
      pending.drawn(p.releaseId(), r.get().version());
      LOG.infof(
          "The read model caught up with release %s (version %d): its card is drawn",
          p.releaseId(), r.get().version());
    }
  }

  private void drawCard(BotClient bot, ReleaseView release, String traceparent) {
    Span span =
        tracer
            .spanBuilder("team card edit")
            .setParent(TraceContext.parse(traceparent))
            .setSpanKind(SpanKind.CONSUMER)
            .setAttribute(RecordTracing.RELEASE, release.releaseId())
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      showCard(bot, release);
    } finally {
      span.end();
    }
  }

  /** Edits the release's live card to its current state, or posts it the first time. */
  private void showCard(BotClient bot, ReleaseView release) {
    String id = release.releaseId();
    Card card = cards.live(release, language);
    String known = redis.get(cardKey(id));
    TeamChatUpdates.CardMessage how =
        TeamChatUpdates.message(
            known,
            known != null
                && shown.shows(chatId, Integer.parseInt(known), card.text(), card.keyboard()));
    if (how == TeamChatUpdates.CardMessage.KEEP) {
      return; // an event that does not change the card (a refusal, a repeated step)
    }
    if (how == TeamChatUpdates.CardMessage.EDIT) {
      int messageId = Integer.parseInt(known);
      BotClient.Reply<?> edited =
          bot.call(
              EditMessageText.builder()
                  .chatId(chatId)
                  .messageId(messageId)
                  .text(card.text())
                  .linkPreviewOptions(LinkPreviewOptions.builder().isDisabled(true).build())
                  .replyMarkup(card.keyboard())
                  .build(),
              Delivery.MUST_DELIVER);
      if (edited.ok()) {
        shown.remember(chatId, messageId, card.text(), card.keyboard());
        return;
      }
      shown.forget(chatId, messageId);
      if (!edited.messageGone()) {
        return;
      }
      LOG.infof("The live card of release %s was deleted from the chat; posting it again", id);
    }
    BotClient.Reply<Message> sent =
        bot.call(
            SendMessage.builder()
                .chatId(chatId)
                .text(card.text())
                .linkPreviewOptions(LinkPreviewOptions.builder().isDisabled(true).build())
                .replyMarkup(card.keyboard())
                .build(),
            Delivery.MUST_DELIVER);
    if (sent.ok() && sent.result() != null) {
      redis.set(cardKey(id), String.valueOf(sent.result().getMessageId()));
      shown.remember(chatId, sent.result().getMessageId(), card.text(), card.keyboard());
    }
  }

  private void announce(BotClient bot, EventEnvelope e, Announcements.Announcement a) {
    String key = "rmm:tg:notified:" + e.id();
    if (redis.get(key) != null) {
      return; // sent before a crash or a rebalance
    }
    SendMessage.SendMessageBuilder<?, ?> m =
        SendMessage.builder()
            .chatId(chatId)
            .text(a.text())
            .entities(a.entities())
            .linkPreviewOptions(LinkPreviewOptions.builder().isDisabled(true).build());
    String card = redis.get(cardKey(e.releaseId()));
    if (card != null) {
      m.replyParameters(
          ReplyParameters.builder()
              .messageId(Integer.parseInt(card))
              .allowSendingWithoutReply(true)
              .build());
    }
    BotClient.Reply<Message> sent = bot.call(m.build(), Delivery.MUST_DELIVER);
    if (sent.ok()) {
      redis.set(key, "1", new SetArgs().ex(NOTIFIED_TTL_SECONDS));
    } else {
      LOG.errorf(
          "The team chat did not take the %s notice of release %s: %d %s",
          e.type(), e.releaseId(), sent.errorCode(), sent.description());
    }
  }

  private static String cardKey(String releaseId) {
    return "rmm:tg:team-card:" + releaseId;
  }
}
