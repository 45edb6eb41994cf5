package dev.rmm.contracts;

import java.util.EnumMap;
import java.util.Map;

/**
 * How a person is shown a status: an emoji and words, in Russian and English. The bot's cards
 * (telegram-gateway) and the web console (release-api) say a status the same way, so the one table
 * lives here beside {@link ReleaseStatus} instead of a copy in each service.
 */
public final class StatusWords {

  private record Words(String emoji, String ru, String en) {}

  private static final Map<ReleaseStatus, Words> WORDS = new EnumMap<>(ReleaseStatus.class);

  static {
    put(ReleaseStatus.INITIATED, "🆕", "Инициирован", "Initiated");
    put(ReleaseStatus.STAGE_BUILDING, "🏗️", "Сборка на stage", "Building on stage");
    put(
        ReleaseStatus.STAGE_BUILDING_FAILED,
        "💥",
        "Сборка на stage не удалась",
        "Stage build failed");
    put(
        ReleaseStatus.STAGE_TEST_ROLLBACK,
        "🔁",
        "Проверка отката на stage",
        "Rollback rehearsal on stage");
    put(
        ReleaseStatus.STAGE_TEST_ROLLBACK_FAILED,
        "💥",
        "Проверка отката не удалась",
        "Rollback rehearsal failed");
    put(ReleaseStatus.MANUAL_TESTING, "🧪", "Ручное тестирование", "Manual testing");
    put(ReleaseStatus.MANUAL_TEST_PASSED, "✅", "Тестирование пройдено", "Manual testing passed");
    put(ReleaseStatus.MANUAL_TEST_FAILED, "❌", "Тестирование не пройдено", "Manual testing failed");
    put(ReleaseStatus.DEPLOYING, "🚀", "Выкладка в прод", "Deploying to production");
    put(ReleaseStatus.DEPLOYED, "🎉", "В проде", "Deployed");
    put(
        ReleaseStatus.PRODUCTION_FAILED,
        "🔥",
        "Выкладка в прод не удалась",
        "Production deploy failed");
    put(ReleaseStatus.PRODUCTION_ROLLBACK, "⏪", "Откат в проде", "Rolling back production");
    put(ReleaseStatus.ROLLBACK_DONE, "⚠️", "Откат выполнен", "Rolled back");
    put(ReleaseStatus.ROLLBACK_FAILED, "🆘", "Откат не удался", "Rollback failed");
    put(ReleaseStatus.CANCELLED, "🚫", "Отменён", "Cancelled");
  }

  private StatusWords() {}

  private static void put(ReleaseStatus status, String emoji, String ru, String en) {
    WORDS.put(status, new Words(emoji, ru, en));
  }

  /** E.g. "🧪 Ручное тестирование". */
  public static String russian(ReleaseStatus status) {
    Words w = WORDS.get(status);
    return w.emoji() + " " + w.ru();
  }

  /** E.g. "🧪 Manual testing". */
  public static String english(ReleaseStatus status) {
    Words w = WORDS.get(status);
    return w.emoji() + " " + w.en();
  }
}
