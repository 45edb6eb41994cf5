package dev.rmm.gateway.bot;

import dev.rmm.contracts.Outcome;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.Screens;
import dev.rmm.gateway.Screens.Screen;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.card.ReleaseCard;
import dev.rmm.gateway.card.ReleaseCard.Card;
import dev.rmm.gateway.card.StatusTexts;
import dev.rmm.gateway.releases.ReleaseReader;
import dev.rmm.gateway.releases.ReleaseReader.Page;
import dev.rmm.gateway.releases.ReleaseReader.ServiceCount;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.objects.CallbackQuery;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/**
 * The lists as a team with many services reads them: a list first asks which service (the services
 * with releases in it, the newest first, or every service), then pages through that service's
 * cards; {@code /release <service> <tag>} opens one card, {@code /history <service>} shows a
 * service's last releases with their outcomes, {@code /stats [service]} the delivery figures of the
 * last 30 days with a chart.
 */
@ApplicationScoped
public class Lists {

  private static final Logger LOG = Logger.getLogger(Lists.class);

  /** How many releases {@code /history} shows. */
  static final int HISTORY = 10;

  /** The window of {@code /stats}, in days. */
  static final int STATS_DAYS = 30;

  /** The longest service name or tag a command takes. */
  private static final int MAX_ARGUMENT = 256;

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm");

  private final ReleaseReader reader;
  private final Cards cards;
  private final Replies replies;
  private final Clock clock = Clock.systemUTC();

  Lists(ReleaseReader reader, Cards cards, Replies replies) {
    this.reader = reader;
    this.cards = cards;
    this.replies = replies;
  }

  /** A list's menu button: the service picker, or the empty list. */
  void opened(CallbackQuery q, Outcome list, Language lang) {
    List<ServiceCount> services = reader.services(list);
    Screen s =
        services.isEmpty()
            ? Screens.emptyList(list, lang)
            : Screens.servicePicker(list, services, lang);
    replies.edit(q.getMessage().getChatId(), q.getMessage().getMessageId(), s.text(), s.keyboard());
    replies.answer(q.getId(), null, false);
  }

  /** A service picked ({@code sv:<list letter>:<service key>}): the first card of its list. */
  void picked(CallbackQuery q, String data, Language lang) {
    String[] parts = data.split(":");
    Optional<Outcome> list = parts.length == 3 ? Screens.list(parts[1]) : Optional.empty();
    if (list.isEmpty()) {
      replies.answer(q.getId(), Texts.FORGED_BUTTON.in(lang), true);
      return;
    }
    show(q, list.get(), 0, parts[2], lang);
  }

  /** A pager button ({@code l:<list letter>:<index>[:<service key>]}). */
  void paged(CallbackQuery q, String data, Language lang) {
    String[] parts = data.split(":");
    boolean fits = parts.length == 3 || parts.length == 4;
    Optional<Outcome> list = fits ? Screens.list(parts[1]) : Optional.empty();
    int index;
    try {
      index = Integer.parseInt(fits ? parts[2] : "x");
    } catch (NumberFormatException e) {
      list = Optional.empty();
      index = 0;
    }
    if (list.isEmpty()) {
      replies.answer(q.getId(), Texts.FORGED_BUTTON.in(lang), true);
      return;
    }
    show(q, list.get(), index, parts.length == 4 ? parts[3] : Screens.ALL_SERVICES, lang);
  }

  /** {@code /release <service> <tag>}: the release's card, paged within its service's list. */
  void release(Message m, String arguments, Language lang) {
    String[] words = arguments.strip().split("\\s+");
    if (words.length != 2 || !plausible(words[0]) || !plausible(words[1])) {
      replies.send(m.getChatId(), Texts.RELEASE_USAGE.in(lang), null, m.getMessageId());
      return;
    }
    Optional<Page> page =
        reader.releaseIdOf(words[0], words[1]).flatMap(id -> reader.pageOf(id, true));
    if (page.isEmpty()) {
      replies.send(m.getChatId(), Texts.RELEASE_NOT_FOUND.in(lang, words[0], words[1]), null, null);
      return;
    }
    Card c = cards.page(page.get(), lang);
    replies.send(m.getChatId(), c.text(), c.keyboard(), null);
  }

  /** {@code /history <service>}: the service's last releases with their outcomes, newest first. */
  void history(Message m, String arguments, Language lang) {
    String service = arguments.strip();
    if (service.isEmpty() || service.contains(" ") || !plausible(service)) {
      replies.send(m.getChatId(), Texts.HISTORY_USAGE.in(lang), null, m.getMessageId());
      return;
    }
    List<ReleaseView> releases = reader.history(service, HISTORY);
    if (releases.isEmpty()) {
      replies.send(m.getChatId(), Texts.HISTORY_NONE.in(lang, service), null, null);
      return;
    }
    StringBuilder text = new StringBuilder(Texts.HISTORY_TITLE.in(lang, service, releases.size()));
    for (ReleaseView r : releases) {
      OffsetDateTime created = r.createdAt();
      text.append('\n')
          .append(
              Texts.HISTORY_LINE.in(
                  lang,
                  r.releaseTag(),
                  StatusTexts.of(r.status(), lang),
                  DATE.format(created.atZoneSameInstant(cards.zone()))));
    }
    replies.send(m.getChatId(), text.toString(), null, null);
  }

  /**
   * {@code /stats [service]}: the delivery (DORA) figures of the last {@link #STATS_DAYS} days as
   * the caption of a chart of deployments per day; the text alone when Telegram refuses the photo.
   */
  void stats(Message m, String arguments, Language lang) {
    String service = arguments.strip();
    if (service.contains(" ") || !plausible(service)) {
      replies.send(m.getChatId(), Texts.STATS_USAGE.in(lang), null, m.getMessageId());
      return;
    }
    ReleaseReader.Stats s =
        reader.stats(service.isEmpty() ? null : service, clock.instant(), STATS_DAYS, cards.zone());
    String text = statsText(service.isEmpty() ? Texts.STATS_ALL.in(lang) : service, s, lang);
    if (!replies.sendPhoto(
        m.getChatId(),
        StatsChart.png(s.perDay()),
        "stats.png",
        text + "\n" + Texts.STATS_CHART.in(lang))) {
      LOG.warnf(
          "Telegram refused the /stats chart for chat %d: the figures go as text", m.getChatId());
      replies.send(m.getChatId(), text, null, null);
    }
  }

  static String statsText(String subject, ReleaseReader.Stats s, Language lang) {
    StringBuilder t = new StringBuilder(Texts.STATS_TITLE.in(lang, subject, STATS_DAYS));
    t.append('\n')
        .append(
            Texts.STATS_DEPLOYMENTS.in(lang, s.deployments(), s.deployments() * 7.0 / STATS_DAYS));
    t.append('\n').append(Texts.STATS_LEAD_TIME.in(lang, duration(s.leadTimeMedian(), lang)));
    t.append('\n')
        .append(
            s.changes() == 0
                ? Texts.STATS_FAILURE_RATE.in(lang, 0, 0, 0)
                : Texts.STATS_FAILURE_RATE.in(
                    lang,
                    Math.round(100.0 * s.failedChanges() / s.changes()),
                    s.failedChanges(),
                    s.changes()));
    t.append('\n').append(Texts.STATS_RESTORE.in(lang, duration(s.timeToRestoreMedian(), lang)));
    t.append('\n')
        .append(Texts.STATS_APPROVAL_WAIT.in(lang, duration(s.approvalWaitMedian(), lang)));
    return t.toString();
  }

  private static String duration(Double seconds, Language lang) {
    return seconds == null
        ? Texts.STATS_NONE.in(lang)
        : ReleaseCard.elapsed(Duration.ofMillis(Math.round(seconds * 1000)), lang);
  }

  private void show(CallbackQuery q, Outcome list, int index, String serviceKey, Language lang) {
    long chatId = q.getMessage().getChatId();
    int messageId = q.getMessage().getMessageId();
    Optional<Page> page;
    try {
      String service = null;
      if (!serviceKey.equals(Screens.ALL_SERVICES)) {
        Optional<String> known = serviceOf(list, serviceKey);
        if (known.isEmpty()) { // none of its releases is in this list any more: pick again
          opened(q, list, lang);
          return;
        }
        service = known.get();
      }
      page = reader.page(list, index, service);
    } catch (RuntimeException e) {
      LOG.errorf("Reading the %s list from the read model failed: %s", list, e.getMessage());
      replies.answer(q, Texts.UNAVAILABLE.in(lang), true);
      return;
    }
    if (page.isEmpty()) {
      Screen s = Screens.emptyList(list, lang);
      replies.edit(chatId, messageId, s.text(), s.keyboard());
    } else {
      Card c = cards.page(page.get(), lang);
      replies.edit(chatId, messageId, c.text(), c.keyboard());
    }
    replies.answer(q.getId(), null, false);
  }

  private Optional<String> serviceOf(Outcome list, String key) {
    return reader.services(list).stream()
        .map(ServiceCount::service)
        .filter(s -> Screens.serviceKey(s).equals(key))
        .findFirst();
  }

  /**
   * Whether a command's word could name a service or tag: not too long, and no character the log
   * refuses (a NUL would fail the query; a bidi control would be echoed looking like another name).
   */
  private static boolean plausible(String word) {
    return word.length() <= MAX_ARGUMENT && TextRules.allows(word, TextRules.Kind.LINE);
  }
}
