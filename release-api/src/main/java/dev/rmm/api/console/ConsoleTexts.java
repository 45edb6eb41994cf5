package dev.rmm.api.console;

import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.StatusWords;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The console's words in Russian and English. Where the bot says the same thing, the words are the
 * bot's: a status's words come from contracts' {@link StatusWords}, which the bot's cards use too;
 * the other shared phrases are copied from telegram-gateway's {@code Texts} (services share
 * contracts, never each other's code). Templates read them as {@code {t.key}}.
 */
public final class ConsoleTexts {

  /** The console's languages. */
  public enum Language {
    RU,
    EN;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The language asked for: {@code ?lang=} first, then the cookie that remembers it, then the
     * browser's Accept-Language (the first of ru or en it names), else English.
     */
    public static Language pick(String query, String cookie, String acceptLanguage) {
      for (String s : new String[] {query, cookie}) {
        if ("ru".equalsIgnoreCase(s)) {
          return RU;
        }
        if ("en".equalsIgnoreCase(s)) {
          return EN;
        }
      }
      if (acceptLanguage != null) {
        try {
          for (Locale.LanguageRange r : Locale.LanguageRange.parse(acceptLanguage)) {
            String l = r.getRange().toLowerCase(Locale.ROOT);
            if (r.getWeight() > 0 && (l.equals("ru") || l.startsWith("ru-"))) {
              return RU;
            }
            if (r.getWeight() > 0 && (l.equals("en") || l.startsWith("en-"))) {
              return EN;
            }
          }
        } catch (IllegalArgumentException e) {
          // a malformed header is no preference
          return EN;
        }
      }
      return EN;
    }
  }

  private static final Map<String, String[]> WORDS = new HashMap<>();

  static {
    w("app", "rmm — релизы", "rmm — releases");
    w("board", "🚀 Активные релизы", "🚀 Active releases");
    w("board_any", "Релизы", "Releases");
    w("logout", "Выйти", "Log out");
    w("logged_in_as", "Вы вошли как", "Logged in as");
    w("login_title", "Вход в rmm", "Log in to rmm");
    w("login_token", "API-токен", "API token");
    w(
        "login_token_hint",
        "Админ-токен rmm; в локальном стенде — файл .rmm/dev-token",
        "rmm's admin token; on the local stack, the file .rmm/dev-token");
    w("login_button", "Войти", "Log in");
    w("login_telegram", "Или войдите через Telegram:", "Or log in with Telegram:");
    w("refused_title", "Доступ запрещён", "Access refused");
    w("refused_back", "Вернуться ко входу", "Back to the login page");
    w("not_found", "Релиз не найден", "Release not found");
    w("service", "📦 Сервис", "📦 Service");
    w("tag", "🏷️ Тег", "🏷️ Tag");
    w("repository", "📁 Репозиторий", "📁 Repository");
    w("status", "🔄 Статус", "🔄 Status");
    w("outcome", "Итог", "Outcome");
    w("initiator", "👤 Инициатор", "👤 Initiator");
    w("created", "📅 Создан", "📅 Created");
    w("elapsed", "⏱️ В работе", "⏱️ In progress");
    w("age", "⏱️ Возраст", "⏱️ Age");
    w("run", "🔗 GitHub Actions", "🔗 GitHub run");
    w("commit", "Коммит", "Commit");
    w("approvals", "👥 Апрувы", "👥 Approvals");
    w("approvers", "👥 Апруверы", "👥 Approvers");
    w("approved", "✅ Одобрили", "✅ Approved so far");
    w("nobody", "пока никто", "nobody yet");
    w("rejected", "💬 Причина отказа", "💬 Rejection reason");
    w("trace", "Трассировка", "Trace");
    w("links", "Ссылки", "Links");
    w("from", "С", "From");
    w("to", "По", "To");
    w("search", "Тег или коммит", "Tag or commit");
    w("any", "все", "any");
    w("filter", "Показать", "Show");
    w("reset", "Сбросить", "Reset");
    w("empty", "Релизов с такими условиями нет", "No release matches");
    w("empty_active", "Активных релизов сейчас нет", "No release is in progress now");
    w(
        "empty_page",
        "На странице %d релизов нет: она дальше последнего",
        "No releases on page %d: it lies past the last one");
    w("page_of", "Страница %d: релизы %d–%d", "Page %d: releases %d–%d");
    w("page_first", "⏮ К первой", "⏮ First page");
    w("page_previous", "← Назад", "← Previous");
    w("page_next", "Дальше →", "Next →");
    w(
        "board_bad_page",
        "Нет такой страницы: «%s» (страницы идут с 1 по %d)",
        "Not a page: “%s” (pages go from 1 to %d)");
    w("live", "● обновляется вживую", "● live");
    w("offline", "○ нет связи, страница не обновляется", "○ offline, the page stands still");
    w("timeline", "История событий", "Timeline");
    w("seq", "№", "#");
    w("time", "Время", "Time");
    w("event", "Событие", "Event");
    w("actor", "Кто", "Actor");
    w("on_behalf", "за", "for");
    w("chain", "Цепочка хешей", "Hash chain");
    w("chain_ok", "проверена до события", "verified up to event");
    w("chain_broken", "Первое нарушенное звено", "First broken link");
    w("chain_unavailable", "Журнал сейчас недоступен", "The log cannot be read now");
    w("outcome_active", "активные", "active");
    w("outcome_successful", "успешные", "successful");
    w("outcome_failed", "неудачные", "failed");
    w("outcome_cancelled", "отменённые и заменённые", "cancelled and replaced");
    w("back", "⬅️ К доске", "⬅️ Back to the board");
    w("dispatch", "🚀 Выкладка (GitHub)", "🚀 Production workflow");
    w("dispatching", "⏳ GitHub: запуск выкладки…", "⏳ GitHub: starting the production workflow…");
    w("dispatched", "🚀 GitHub: выкладка запущена", "🚀 GitHub: production workflow started");
    w(
        "dispatch_failed",
        "🆘 GitHub: выкладку запустить не удалось (%s)",
        "🆘 GitHub: the production workflow could not be started (%s)");
    w("runbook", "⏪ Откат (SSH)", "⏪ Rollback runbook");
    w("runbook_running", "⏳ Откат на %s выполняется на %s", "⏳ Rolling back to %s on %s");
    w("runbook_done", "✅ Откат выполнен: %s", "✅ Rollback done: %s");
    w(
        "runbook_failed",
        "🆘 Откат не удался на шаге «%s»: %s",
        "🆘 Rollback failed at step “%s”: %s");
    w("service_page", "Сервис", "Service");
    w("in_production", "🚀 В проде сейчас", "🚀 In production now");
    w("nothing_deployed", "ещё ничего не выкладывалось", "nothing deployed yet");
    w("deployed_tags", "Выложенные теги", "Deployed tags");
    w("deployed_at", "Выложен", "Deployed");
    w("weekly_deploys", "Выкладки по неделям", "Deploys per week");
    w("dora", "Показатели DORA", "DORA figures");
    w("days7", "7 дней", "7 days");
    w("days30", "30 дней", "30 days");
    w("days90", "90 дней", "90 days");
    w("dora_frequency", "Частота выкладок", "Deployment frequency");
    w("per_day", "в день", "day");
    w("dora_lead", "Время от тега до прода (среднее)", "Lead time, tag to production (mean)");
    w("dora_failure_rate", "Доля неудачных выкладок", "Change failure rate");
    w("dora_restore", "Время восстановления (среднее)", "Time to restore (mean)");
    w("dora_approval_wait", "Ожидание апрувов (среднее)", "Approval wait (mean)");
    w("days_hours", "%d д %d ч", "%d d %d h");
    w("hours_minutes", "%d ч %02d мин", "%d h %02d min");
    w("minutes", "%d мин", "%d min");
    w(
        "why_unknown_user",
        "Пользователь Telegram %d не апрувер, не админ и не наблюдатель ни одного сервиса.",
        "Telegram user %d is not an approver, admin or viewer of any service.");
    w(
        "why_telegram",
        "Данные входа Telegram не приняты: %s.",
        "The Telegram login was refused: %s.");
    w(
        "why_telegram_off",
        "Вход через Telegram не настроен (RMM_CONSOLE_TELEGRAM_BOT_TOKEN).",
        "Telegram login is not set up here (RMM_CONSOLE_TELEGRAM_BOT_TOKEN).");
    w("why_token", "Этот токен rmm не принимает.", "rmm does not accept this token.");
    w(
        "why_pipeline_token",
        "Токен репозитория читает только свои релизы; для консоли нужен админ-токен.",
        "A repository's token reads only its own releases; the console needs the admin token.");
    w(
        "why_form",
        "Форма входа устарела или пришла с другого сайта; откройте страницу входа заново.",
        "The login form is stale or came from another site; open the login page again.");

    // the audit page (AuditPage) and the release page's download and policy line
    w("audit", "🔎 Аудит", "🔎 Audit");
    w("audit_title", "Аудит по журналу", "Audit from the log");
    w("audit_at", "Момент (UTC)", "Moment (UTC)");
    w("audit_as_of", "Состояние на %s: релизов — %d", "State as of %s: %d releases");
    w(
        "audit_hidden",
        "Ещё релизов не показано: %d — выберите сервис",
        "%d more releases not shown: choose a service");
    w("audit_scan", "Прочитано записей журнала %2$s: %1$d", "%d records of the log %s read");
    w(
        "audit_limit",
        "⚠️ Прочитаны только первые %d из примерно %d записей журнала %s (предел"
            + " RMM_CONSOLE_AUDIT_MAX_EVENTS): состояния и отчёт неполны.",
        "⚠️ Only the first %d of about %d records of the log %s were read (the limit,"
            + " RMM_CONSOLE_AUDIT_MAX_EVENTS): the states and the report are incomplete.");
    w(
        "audit_bad_moment",
        "Не понимаю момент «%s»: нужен вид 2026-12-02T04:10:00Z",
        "Not a moment: “%s” (write it like 2026-12-02T04:10:00Z)");
    w("audit_no_service", "Такого имени сервиса быть не может", "That cannot be a service's name");
    w("audit_version", "Версия", "Version");
    w("audit_report", "Проверка журнала", "Verification report");
    w(
        "audit_summary",
        "Релизов: %d, событий: %d (из них записаны до цепочки хешей и проверены только по"
            + " номерам: %d)",
        "%d releases, %d events (%d written before hash chaining, checked by sequence only)");
    w("audit_intact", "цепочки всех релизов целы", "every release's chain is intact");
    w("audit_broken", "релизов с нарушенной цепочкой: %d", "%d release(s) with a broken chain");
    w(
        "audit_voids",
        "Пустые события: %d — проиграли гонку другому писателю; это не нарушение, их не учитывает"
            + " никто",
        "Void events: %d. They lost a race to another writer's: not a break, no reader counts"
            + " them");
    w(
        "audit_policy_intact",
        "цепочка политики (%s) цела, событий: %d",
        "the policy chain (%s) is intact, %d events");
    w("audit_policy_broken", "цепочка политики (%s) нарушена", "the policy chain (%s) is broken");
    w("audit_more", "… и ещё %d", "… and %d more");
    w(
        "download_events",
        "⬇️ История событий (CloudEvents, JSON Lines)",
        "⬇️ Event history (CloudEvents JSON lines)");
    w("policy", "📜 Версия политики", "📜 Policy version");
    w("policy_now", "сейчас действует v%d", "v%d in force now");
    w(
        "policy_decided",
        "решения по релизу — по v%d (событие %d)",
        "this release decided under v%d (event %d)");
    w(
        "policy_no_decision",
        "ни одно решение по релизу ещё не назвало версию",
        "no decision of this release names a version yet");
    w("policy_none", "политика в журнале ещё не записана", "no policy recorded in the log yet");
  }

  private ConsoleTexts() {}

  private static void w(String key, String ru, String en) {
    WORDS.put(key, new String[] {ru, en});
  }

  /** Every word of {@code language}, by key, for a template. */
  public static Map<String, String> of(Language language) {
    Map<String, String> out = new HashMap<>();
    WORDS.forEach((k, v) -> out.put(k, v[language.ordinal()]));
    return out;
  }

  /** One word, formatted with {@code args}. */
  public static String word(Language language, String key, Object... args) {
    String[] v = WORDS.get(key);
    if (v == null) {
      throw new IllegalArgumentException("no console text " + key);
    }
    return args.length == 0 ? v[language.ordinal()] : String.format(v[language.ordinal()], args);
  }

  /** A status as the card shows it, e.g. "🧪 Manual testing"; the wire value when unknown. */
  public static String status(Language language, String wire) {
    return ReleaseStatus.parse(wire).map(s -> status(language, s)).orElse(wire);
  }

  /** A status in the words of contracts' {@link StatusWords}, as the bot's cards say it. */
  public static String status(Language language, ReleaseStatus status) {
    return language == Language.RU ? StatusWords.russian(status) : StatusWords.english(status);
  }

  /** Every status, in the state machine's order, as {@code [wire, words]}, for the filter. */
  public static List<String[]> statuses(Language language) {
    return Arrays.stream(ReleaseStatus.values())
        .map(s -> new String[] {s.wire(), status(language, s)})
        .toList();
  }

  /** How long something has been going, as the card says it ("2 h 05 min"). */
  public static String duration(Language language, java.time.Duration d) {
    long minutes = Math.max(0, d.toMinutes());
    if (minutes >= 24 * 60) {
      return word(language, "days_hours", minutes / (24 * 60), (minutes / 60) % 24);
    }
    if (minutes >= 60) {
      return word(language, "hours_minutes", minutes / 60, minutes % 60);
    }
    return word(language, "minutes", minutes);
  }
}
