package dev.rmm.gateway;

import dev.rmm.gateway.Texts.Language;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardButton;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardRow;

/** The bot's screens as Bot API requests; pure functions of their inputs. */
public final class Screens {

  /** Callback data of the main menu's buttons (well under Telegram's 64-byte limit). */
  public static final String ACTIVE = "menu:active";

  public static final String SUCCESSFUL = "menu:successful";
  public static final String FAILED = "menu:failed";

  /** Callback data of "back to the main menu". */
  public static final String MENU = "menu";

  private Screens() {}

  /** {@code /start}: a greeting by first name and the three lists. */
  public static SendMessage mainMenu(long chatId, String firstName, Language language) {
    return SendMessage.builder()
        .chatId(chatId)
        .text(
            Texts.GREETING.in(
                language, firstName == null || firstName.isBlank() ? "👤" : firstName))
        .replyMarkup(
            InlineKeyboardMarkup.builder()
                .keyboardRow(new InlineKeyboardRow(button(Texts.MENU_ACTIVE.in(language), ACTIVE)))
                .keyboardRow(
                    new InlineKeyboardRow(button(Texts.MENU_SUCCESSFUL.in(language), SUCCESSFUL)))
                .keyboardRow(new InlineKeyboardRow(button(Texts.MENU_FAILED.in(language), FAILED)))
                .build())
        .build();
  }

  /** One letter per list in the pager's callback data ({@code l:<letter>:<index>}). */
  public static String listCode(dev.rmm.contracts.Outcome list) {
    return list.wire().substring(0, 1);
  }

  private static InlineKeyboardButton button(String text, String data) {
    return InlineKeyboardButton.builder().text(text).callbackData(data).build();
  }
}
