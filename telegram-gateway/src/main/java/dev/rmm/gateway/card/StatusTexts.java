package dev.rmm.gateway.card;

import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.gateway.Texts.Language;
import java.util.EnumMap;
import java.util.Map;

/** Every status as the card shows it: an emoji and words, in Russian and English. */
public final class StatusTexts {

  private record Text(String emoji, String ru, String en) {}

  private static final Map<ReleaseStatus, Text> TEXTS = new EnumMap<>(ReleaseStatus.class);

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

  private StatusTexts() {}

  private static void put(ReleaseStatus s, String emoji, String ru, String en) {
    TEXTS.put(s, new Text(emoji, ru, en));
  }

  /** E.g. "🧪 Manual testing". */
  public static String of(ReleaseStatus status, Language language) {
    Text t = TEXTS.get(status);
    return t.emoji() + " " + (language == Language.EN ? t.en() : t.ru());
  }
}
