package dev.rmm.gateway;

import java.util.Locale;
import java.util.Map;

/** The bot's texts in Russian (the original) and English. */
public enum Texts {
  GREETING(
      "👋 Привет, %s! Я слежу за релизами. Что показать?",
      "👋 Hello, %s! I keep track of releases. What shall I show?"),
  MENU_ACTIVE("🚀 Активные релизы", "🚀 Active releases"),
  MENU_SUCCESSFUL("✅ Успешные релизы", "✅ Successful releases"),
  MENU_FAILED("❌ Неудачные релизы", "❌ Failed releases"),
  MENU_CANCELLED("🚫 Отменённые и заменённые", "🚫 Cancelled and replaced"),
  CARD_SERVICE("📦 Сервис: %s", "📦 Service: %s"),
  CARD_TAG("🏷️ Тег: %s", "🏷️ Tag: %s"),
  CARD_REPOSITORY("📁 Репозиторий: %s", "📁 Repository: %s"),
  CARD_STATUS("🔄 Статус: %s", "🔄 Status: %s"),
  CARD_INITIATOR("👤 Инициатор: %s", "👤 Initiator: %s"),
  /** The initiator as the API authenticated them: the person, then their GitHub login. */
  CARD_INITIATOR_PERSON("%s (GitHub: %s)", "%s (GitHub: %s)"),
  /** ... when the pipeline reported somebody else as the initiator (free text). */
  CARD_INITIATOR_REPORTED("%s; в пайплайне указан %s", "%s; the pipeline reported %s"),
  CARD_CREATED("📅 Создан: %s", "📅 Created: %s"),
  CARD_ELAPSED("⏱️ В работе: %s", "⏱️ In progress: %s"),
  CARD_RUN("🔗 GitHub Actions: %s", "🔗 GitHub run: %s"),
  CARD_APPROVERS("👥 Нужны апрувы (%d из %d): %s", "👥 Approvals needed (%d of %d): %s"),
  CARD_APPROVED("✅ Одобрили (%d/%d): %s", "✅ Approved so far (%d/%d): %s"),
  CARD_NOBODY("пока никто", "nobody yet"),
  CARD_ON_BEHALF("%s (за него — админ-токен)", "%s (by an admin token on their behalf)"),
  CARD_NO_LONGER_APPROVER(
      "%s (уже не апрувер — не засчитано)", "%s (no longer an approver, not counted)"),
  CARD_APPROVAL_EXPIRED(
      "%s (одобрение истекло — нужно одобрить заново)", "%s (approval expired, approve again)"),
  /** The role quorum; the roles are named as the policy names them, in either language. */
  CARD_ROLES("🎭 Роли: %s", "🎭 Roles: %s"),
  CARD_TAG_MOVED("♻️ Тег %s перенесён с коммита %s на %s", "♻️ Tag %s moved from commit %s to %s"),
  CARD_APPROVALS_VOIDED("; одобрения сброшены: %s", "; approvals void: %s"),
  CARD_REJECTED("💬 Причина отказа: %s", "💬 Rejection reason: %s"),
  CARD_SUPERSEDED("🔀 Заменён на %s", "🔀 Replaced by %s"),
  CARD_ROLLBACK_TO("⏪ Откат на: %s", "⏪ Rolling back to: %s"),
  CARD_RUNBOOK_RUNNING(
      "⏳ Откат на %s выполняется на %s (шагов: %d)", "⏳ Rolling back on %s: %s (steps done: %d)"),
  CARD_RUNBOOK_DONE("✅ Откат выполнен: %s", "✅ Rollback done: %s"),
  CARD_RUNBOOK_FAILED("🆘 Откат не удался на шаге «%s»: %s", "🆘 Rollback failed at step “%s”: %s"),
  CARD_FROZEN("❄️ Выкладка заморожена до %s", "❄️ Frozen until %s"),
  CARD_FROZEN_BECAUSE("❄️ Выкладка заморожена до %s (%s)", "❄️ Frozen until %s (%s)"),
  CARD_DISPATCHING("⏳ GitHub: запуск выкладки…", "⏳ GitHub: starting the production workflow…"),
  CARD_DISPATCHED("🚀 GitHub: выкладка запущена", "🚀 GitHub: production workflow started"),
  CARD_DISPATCH_FAILED(
      "🆘 GitHub: выкладку запустить не удалось (%s)",
      "🆘 GitHub: the production workflow could not be started (%s)"),
  CARD_DISPATCH_RETRYING(
      "⏳ GitHub: повторный запуск выкладки (запросил %s)…",
      "⏳ GitHub: retrying the production workflow (asked by %s)…"),
  DAYS_HOURS("%d д %d ч", "%d d %d h"),
  HOURS_MINUTES("%d ч %02d мин", "%d h %02d min"),
  MINUTES("%d мин", "%d min"),
  BUTTON_APPROVE("✅ Одобрить", "✅ Approve"),
  BUTTON_REJECT("❌ Отклонить", "❌ Reject"),
  BUTTON_ROLLBACK("⏪ Откатить", "⏪ Rollback"),
  BUTTON_CANCEL_RELEASE("🚫 Отменить релиз", "🚫 Cancel release"),
  BUTTON_RETRY_DISPATCH("🔁 Повторить запуск", "🔁 Retry dispatch"),
  BUTTON_REFRESH("🔄 Обновить", "🔄 Refresh"),
  BUTTON_BACK("🏠 В меню", "🏠 Main menu"),
  BUTTON_PREV("⬅️ Пред.", "⬅️ Prev"),
  BUTTON_NEXT("След. ➡️", "Next ➡️"),
  BUTTON_LANGUAGE("🌐 English", "🌐 Русский"),
  LANGUAGE_SET("🌐 Язык: русский", "🌐 Language: English"),
  PICK_SERVICE("%s: какой сервис?", "%s: which service?"),
  PICK_SERVICE_MANY(
      "%s: какой сервис? (здесь %d с самыми новыми релизами; любой релиз откроет /release <сервис>"
          + " <тег>)",
      "%s: which service? (the %d with the newest releases here; /release <service> <tag> opens any"
          + " release)"),
  ALL_SERVICES("📋 Все сервисы (%d)", "📋 All services (%d)"),
  RELEASE_USAGE(
      "ℹ️ Так: /release <сервис> <тег>, например /release billing v1.4.0",
      "ℹ️ Usage: /release <service> <tag>, for example /release billing v1.4.0"),
  RELEASE_NOT_FOUND("🔍 Релиз %s %s не найден", "🔍 No release %s %s is known"),
  HISTORY_USAGE(
      "ℹ️ Так: /history <сервис>, например /history billing",
      "ℹ️ Usage: /history <service>, for example /history billing"),
  HISTORY_NONE("🔍 У сервиса %s нет релизов", "🔍 The service %s has no releases"),
  HISTORY_TITLE("📜 %s: последние релизы (%d)", "📜 %s: the last releases (%d)"),
  HISTORY_LINE("🏷️ %s · %s · %s", "🏷️ %s · %s · %s"),
  STATS_USAGE(
      "ℹ️ Так: /stats или /stats <сервис>, например /stats billing",
      "ℹ️ Usage: /stats or /stats <service>, for example /stats billing"),
  STATS_TITLE("📈 %s · последние %d дней", "📈 %s · the last %d days"),
  STATS_ALL("все сервисы", "all services"),
  STATS_DEPLOYMENTS("🚀 Выкладок в прод: %d (%.1f в неделю)", "🚀 Deployments: %d (%.1f a week)"),
  STATS_LEAD_TIME("⏱️ Время до прода (медиана): %s", "⏱️ Lead time (median): %s"),
  STATS_FAILURE_RATE(
      "💥 Доля неудачных выкладок: %d %% (%d из %d)", "💥 Change failure rate: %d %% (%d of %d)"),
  STATS_RESTORE("🛠️ Время восстановления (медиана): %s", "🛠️ Time to restore (median): %s"),
  STATS_APPROVAL_WAIT("⏳ Ожидание апрувов (медиана): %s", "⏳ Approval wait (median): %s"),
  STATS_NONE("—", "—"),
  STATS_CHART(
      "📊 На картинке — выкладки по дням, слева направо.",
      "📊 The chart: deployments per day, oldest on the left."),
  LIST_EMPTY("📭 Здесь пока пусто: %s", "📭 Nothing here yet: %s"),
  CONFIRM_APPROVE(
      "Одобрить %s %s? Ваш апрув будет засчитан.", "Approve %s %s? Your approval will be counted."),
  BUTTON_YES_APPROVE("✅ Да, одобрить", "✅ Yes, approve"),
  ASK_REASON(
      "✍️ %s, напишите ответом на это сообщение причину отказа для %s %s (или /cancel).",
      "✍️ %s, reply to this message with the reason for rejecting %s %s (or /cancel)."),
  REASON_EMPTY(
      "✍️ Причина не может быть пустой: напишите её текстом.",
      "✍️ The reason cannot be empty: please write it as text."),
  ASK_CANCEL_REASON(
      "✍️ %s, напишите ответом на это сообщение, почему отменить %s %s (или /cancel).",
      "✍️ %s, reply to this message with the reason for cancelling %s %s (or /cancel)."),
  CONFIRM_CANCEL(
      "Отменить %s %s с причиной «%s»? Он не будет выкачен в прод.",
      "Cancel %s %s with the reason “%s”? It will not be deployed to production."),
  BUTTON_YES_CANCEL("🚫 Да, отменить релиз", "🚫 Yes, cancel the release"),
  CONFIRM_REJECT("Отклонить %s %s с причиной «%s»?", "Reject %s %s with the reason “%s”?"),
  BUTTON_YES_REJECT("❌ Да, отклонить", "❌ Yes, reject"),
  PICK_ROLLBACK("⏪ На какой тег откатить %s (сейчас %s)?", "⏪ Roll %s (now %s) back to which tag?"),
  NO_EARLIER_TAGS(
      "⏪ У %s нет более ранних выкаченных тегов: откатывать некуда.",
      "⏪ %s has no earlier deployed tag to roll back to."),
  CONFIRM_ROLLBACK("Откатить %s с %s на %s?", "Roll %s back from %s to %s?"),
  BUTTON_YES_ROLLBACK("⏪ Да, откатить", "⏪ Yes, roll back"),
  CONFIRM_RETRY_DISPATCH(
      "Повторить запуск выкладки %s %s в прод? Сначала будет проверено, что GitHub не запустил"
          + " её в прошлый раз: второй выкладки не будет.",
      "Retry the production dispatch of %s %s? GitHub is checked first for a run of the failed"
          + " attempt: there will not be two deploys."),
  BUTTON_YES_RETRY_DISPATCH("🔁 Да, повторить", "🔁 Yes, retry"),
  BUTTON_CANCEL("↩️ Отмена", "↩️ Cancel"),
  APPROVAL_COUNTED("✅ Ваш апрув засчитан (%d/%d)", "✅ Your approval is counted (%d/%d)"),
  ALL_APPROVED(
      "✅ Все апрувы собраны, запускается выкладка в прод",
      "✅ All approvals collected, production deploy is starting"),
  ALREADY_APPROVED(
      "☑️ Вы уже одобрили этот релиз (%d/%d)", "☑️ You have already approved this release (%d/%d)"),
  CANCELLED_DONE("🚫 Релиз %s %s отменён", "🚫 Release %s %s is cancelled"),
  REJECTED_DONE("❌ Релиз %s %s отклонён", "❌ Release %s %s is rejected"),
  ROLLBACK_REQUESTED(
      "⏪ Запрошен откат %s на %s: оркестратор выполнит его",
      "⏪ Rollback of %s to %s is requested: the orchestrator will run it"),
  RETRY_DISPATCH_REQUESTED(
      "🔁 Повторный запуск выкладки %s %s запрошен: оркестратор выполнит его",
      "🔁 A retry of the production dispatch of %s %s is requested: the orchestrator will run it"),
  ACTION_CANCELLED("↩️ Отменено", "↩️ Cancelled"),
  REFUSED_NOT_ALLOWED("⛔ Нет прав: %s", "⛔ Not allowed: %s"),
  REFUSED_STALE(
      "🔄 Карточка устарела: релиз уже в статусе «%s». Карточка обновлена: проверьте и повторите.",
      "🔄 The card was out of date: the release is now “%s”. The card is refreshed: check it and"
          + " try again."),
  REFUSED_NOW("⚠️ Сейчас нельзя: %s", "⚠️ Not possible now: %s"),
  NOT_IN_THIS_STATUS("релиз сейчас в статусе «%s»", "the release is now “%s”"),
  OWN_RELEASE(
      "вы запустили этот релиз и не можете его одобрить",
      "you started this release and may not approve it"),
  REFUSED_OTHER("⚠️ Отказано: %s", "⚠️ Refused: %s"),
  NO_ANSWER(
      "⏳ rmm не ответил вовремя. Нажмите ещё раз: повтор безопасен.",
      "⏳ rmm did not answer in time. Press again: a repeat is safe."),
  EXPIRED(
      "⌛ Это подтверждение устарело или уже выполнено.",
      "⌛ This confirmation has expired or was already used."),
  NOT_YOURS("⛔ Это подтверждение для %s", "⛔ This confirmation belongs to %s"),
  FORGED_BUTTON(
      "⚠️ Эта кнопка не от rmm или изменена: действие не выполнено.",
      "⚠️ This button is not rmm's or was altered: nothing was done."),
  ACCESS_REFUSED(
      "🔒 Извините, этот бот показывает релизы только команде. Если вам нужен доступ, попросите"
          + " администратора rmm.",
      "🔒 Sorry, this bot shows releases to the release team only. If you need access, please ask"
          + " an rmm admin."),
  ONLY_APPROVERS(
      "одобрить релиз могут только его апруверы", "only the release's approvers may approve it"),
  ONLY_APPROVERS_OR_ADMINS(
      "отклонить релиз могут только его апруверы и администраторы",
      "only the release's approvers and admins may reject it"),
  ONLY_ADMINS("откатить релиз могут только администраторы", "only admins may roll a release back"),
  ONLY_ADMINS_CANCEL(
      "отменить релиз могут только администраторы", "only admins may cancel a release"),
  ONLY_ADMINS_RETRY(
      "повторить запуск выкладки могут только администраторы",
      "only admins may retry a production dispatch"),
  RETRY_NOT_NEEDED(
      "запуск выкладки %s %s не завершился ошибкой: повторять нечего",
      "the production dispatch of %s %s has not failed: there is nothing to retry"),
  BUTTON_GONE(
      "⌛ Этой кнопки больше нет на этом сообщении: действие не выполнено.",
      "⌛ This button is no longer on this message: nothing was done."),
  RELEASE_UNKNOWN("⚠️ Релиз не найден", "⚠️ Release not found"),
  UNAVAILABLE(
      "⚠️ Список релизов сейчас недоступен, попробуйте позже.",
      "⚠️ The release lists are unavailable right now; try again later."),
  TEMPORARILY_UNAVAILABLE(
      "⚠️ rmm временно недоступен: ничего не сделано. Попробуйте ещё раз через минуту.",
      "⚠️ rmm is temporarily unavailable: nothing was done. Try again in a minute."),
  TEAM_APPROVAL_NEEDED(
      "🧪 %s %s ждёт ручного тестирования. Нужны апрувы (%d из %d): %s",
      "🧪 %s %s is ready for manual testing. Approvals needed (%d of %d): %s"),
  TEAM_DEPLOYED("🎉 %s %s в проде!", "🎉 %s %s is in production!"),
  TEAM_BREAK_GLASS_REQUESTED(
      "🚨 Break-glass: %s форсирует одобрение %s %s без кворума: «%s». Другой администратор должен"
          + " подтвердить его за %s (✅ на карточке)",
      "🚨 Break-glass: %s forces the approval of %s %s without the quorum: “%s”. Another admin must"
          + " confirm it within %s (✅ on the card)"),
  TEAM_BREAK_GLASS_CONFIRMED(
      "🚨 Break-glass подтверждён: %s %s (форсировал %s, подтвердил %s) уходит в прод без кворума",
      "🚨 Break-glass confirmed: %s %s (forced by %s, confirmed by %s) goes to production without"
          + " the quorum"),
  TEAM_FAILED("❌ %s %s: %s", "❌ %s %s: %s"),
  TEAM_FAILED_DETAIL("❌ %s %s: %s (%s)", "❌ %s %s: %s (%s)"),
  TEAM_REJECTED("❌ %s %s отклонён (%s): %s", "❌ %s %s was rejected by %s: %s"),
  TEAM_ROLLED_BACK("⚠️ %s %s откачен%s", "⚠️ %s %s was rolled back%s"),
  TEAM_ROLLED_BACK_TO(" на %s", " to %s"),
  TEAM_DISPATCH_FAILED(
      "🆘 %s %s: выкладку в прод запустить не удалось: %s",
      "🆘 %s %s: the production workflow could not be started: %s"),
  ALERT_CONSUMER_ERROR("🆘 Ошибка обработки событий", "🆘 Consumer error"),
  ALERT_DISPATCH_FAILED("🆘 Выкладка в прод не запущена", "🆘 Production dispatch failed"),
  ALERT_ROLLBACK_FAILED("🆘 Откат не удался", "🆘 Rollback failed"),
  ALERT_PRODUCTION_FAILED("🔥 Выкладка в прод не удалась", "🔥 Production deploy failed"),
  ALERT_STAGE_FAILED("🆘 Сбой на stage", "🆘 Stage failed"),
  ALERT_STUCK_RELEASE("⏳ Релиз завис", "⏳ Release stuck"),
  ALERT_OTHER("🆘 Сбой: %s", "🆘 Failure: %s"),
  // Break-glass (issue 15 point 4): an admin forces an approval, a second admin confirms it
  CARD_BREAK_GLASS_AWAITING(
      "🚨 BREAK-GLASS: %s форсирует одобрение: «%s» — ждёт второго администратора (до %s)",
      "🚨 BREAK-GLASS by %s: “%s” — awaiting a second admin (until %s)"),
  CARD_BREAK_GLASS_CONFIRMED(
      "🚨 Одобрение форсировано: %s, подтвердил %s: «%s»",
      "🚨 Forced by %s, confirmed by %s: “%s”"),
  CARD_BREAK_GLASS_EXPIRED(
      "⌛ Break-glass от %s истёк без подтверждения (%s)",
      "⌛ Break-glass by %s expired unconfirmed (%s)"),
  BUTTON_BREAK_GLASS("🚨 Форсировать (break-glass)", "🚨 Break-glass"),
  BUTTON_CONFIRM_BREAK_GLASS("✅ Подтвердить break-glass", "✅ Confirm break-glass"),
  ASK_BREAK_GLASS_REASON(
      "✍️ %s, напишите ответом на это сообщение, почему форсировать одобрение %s %s без кворума"
          + " (или /cancel).",
      "✍️ %s, reply to this message with the reason for forcing the approval of %s %s without"
          + " the quorum (or /cancel)."),
  CONFIRM_BREAK_GLASS_REQUEST(
      "🚨 Форсировать одобрение %s %s с причиной «%s»? Другой администратор должен подтвердить"
          + " его за %s.",
      "🚨 Force the approval of %s %s with the reason “%s”? Another admin must confirm it within"
          + " %s."),
  BUTTON_YES_BREAK_GLASS("🚨 Да, форсировать", "🚨 Yes, force it"),
  CONFIRM_BREAK_GLASS_SECOND(
      "🚨 Подтвердить break-glass %s %s от %s («%s»)? Релиз уйдёт в прод без кворума.",
      "🚨 Confirm the break-glass of %s %s by %s (“%s”)? The release goes to production without"
          + " the quorum."),
  BUTTON_YES_CONFIRM_BREAK_GLASS("✅ Да, подтвердить", "✅ Yes, confirm"),
  BREAK_GLASS_REQUESTED_DONE(
      "🚨 Break-glass для %s %s запрошен: другой администратор должен подтвердить его за %s",
      "🚨 Break-glass for %s %s requested: another admin must confirm it within %s"),
  BREAK_GLASS_CONFIRMED_DONE(
      "🚨 Break-glass подтверждён: %s %s уходит в прод",
      "🚨 Break-glass confirmed: %s %s goes to production"),
  ONLY_ADMINS_BREAK_GLASS(
      "форсировать одобрение могут только администраторы", "only admins may force an approval"),
  ONLY_ANOTHER_ADMIN(
      "подтвердить break-glass может только другой администратор, не тот, кто его запросил",
      "only another admin may confirm a break-glass, not the one who asked for it"),
  BREAK_GLASS_EXPIRED_NOW(
      "break-glass истёк: за %s его никто не подтвердил — запросите его заново, если он ещё нужен",
      "the break-glass expired (nobody confirmed it within %s): force it again if it is still"
          + " needed"),
  BREAK_GLASS_NONE("break-glass не запрошен", "no break-glass was asked for"),
  BREAK_GLASS_TAKEN(
      "break-glass уже запрошен или подтверждён другим администратором — обновите карточку",
      "a break-glass was already asked for or confirmed by another admin: refresh the card"),
  ALERT_BREAK_GLASS("🚨 Break-glass", "🚨 Break-glass"),
  ALERT_BREAK_GLASS_REQUESTED(
      "%s форсирует одобрение: «%s». Другой администратор должен подтвердить до %s (кнопка «✅"
          + " Подтвердить break-glass» ниже или на карточке)",
      "%s forces the approval: “%s”. Another admin must confirm by %s (✅ Confirm break-glass"
          + " below or on the card)"),
  ALERT_BREAK_GLASS_CONFIRMED(
      "%s подтвердил break-glass от %s: «%s». Релиз уходит в прод без кворума",
      "%s confirmed the break-glass by %s: “%s”. The release goes to production without the"
          + " quorum"),
  ALERT_BREAK_GLASS_EXPIRED(
      "Break-glass от %s истёк без подтверждения", "The break-glass by %s expired unconfirmed"),
  ALERT_SOURCE("⚙️ Источник: %s", "⚙️ Source: %s"),
  ALERT_TRACE("🔎 Трейс:", "🔎 Trace:"),
  ALERT_LINK_TRACE("трейс в Tempo", "trace in Tempo"),
  ALERT_LINK_LOGS("логи в Loki", "logs in Loki"),
  ALERT_DISPATCH_SUMMARY(
      "GitHub не принял запуск production workflow (попыток: %d)",
      "GitHub did not start the production workflow (%d attempts)"),
  ALERT_AI_NOTE("🤖 Разбор от ИИ (может ошибаться)", "🤖 AI note (may be wrong)"),
  ALERT_ROLLBACK_STEP("Откат упал на шаге «%s»", "The rollback failed at step “%s”"),
  ALERT_STUCK_SUMMARY("Нет движения %s в статусе «%s»", "No progress for %s in status “%s”"),
  ALERT_STUCK_MORE(
      "Ещё %d релизов без движения (список активных в боте)",
      "%d more releases without progress (see the active list in the bot)");

  private final String ru;
  private final String en;

  Texts(String ru, String en) {
    this.ru = ru;
    this.en = en;
  }

  public String in(Language language, Object... args) {
    String pattern = language == Language.EN ? en : ru;
    // numbers as the language writes them (0,2 in Russian), never as the machine's locale does
    return args.length == 0 ? pattern : String.format(language.locale(), pattern, args);
  }

  /** The languages the bot speaks. */
  public enum Language {
    RU,
    EN;

    /** From a Telegram {@code language_code} (e.g. "en-GB"), else the configured default. */
    public static Language of(String telegramCode, Language fallback) {
      if (telegramCode == null) {
        return fallback;
      }
      String c = telegramCode.toLowerCase(Locale.ROOT);
      return Map.of("ru", RU, "en", EN)
          .getOrDefault(c.length() > 2 ? c.substring(0, 2) : c, fallback);
    }

    public static Language parse(String code) {
      return of(code, RU);
    }

    /** The locale numbers are written in. */
    public Locale locale() {
      return this == RU ? Locale.forLanguageTag("ru") : Locale.ENGLISH;
    }

    /** The code used in configuration and callback data: ru or en. */
    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
