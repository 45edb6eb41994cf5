package dev.rmm.gateway;

import dev.rmm.contracts.Outcome;
import dev.rmm.gateway.Texts.Language;
import java.util.Optional;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardButton;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardRow;

/**
 * The bot's fixed screens and the callback data of their buttons; pure functions of their inputs.
 * Callback data here is plain; it is signed as it leaves the bot ({@link
 * dev.rmm.gateway.access.SignedButtons}), so a client can neither forge nor move it.
 */
public final class Screens {

  /** Callback data of the main menu's buttons (well under Telegram's 64-byte limit). */
  public static final String ACTIVE = "menu:active";

  public static final String SUCCESSFUL = "menu:successful";
  public static final String FAILED = "menu:failed";

  /** Releases an admin cancelled or a newer release of their service superseded. */
  public static final String CANCELLED = "menu:cancelled";

  /** Callback data of "back to the main menu". */
  public static final String MENU = "menu";

  /** Callback data prefix of the language switch ({@code lang:ru}, {@code lang:en}). */
  public static final String LANGUAGE = "lang:";

  /** Callback data prefix of the pager ({@code l:<list letter>:<index>}). */
  public static final String PAGE = "l:";

  /** Callback data prefixes of a pending action's buttons, followed by its token. */
  public static final String CONFIRM = "ok:";

  public static final String CANCEL = "no:";
  public static final String PICK = "pk:";

  /** A screen: plain text (no parse mode) and its buttons. */
  public record Screen(String text, InlineKeyboardMarkup keyboard) {}

  private Screens() {}

  /** {@code /start}: a greeting by first name, the four lists and the language switch. */
  public static Screen mainMenu(String firstName, Language language) {
    Language other = language == Language.RU ? Language.EN : Language.RU;
    return new Screen(
        Texts.GREETING.in(language, firstName == null || firstName.isBlank() ? "👤" : firstName),
        InlineKeyboardMarkup.builder()
            .keyboardRow(new InlineKeyboardRow(button(Texts.MENU_ACTIVE.in(language), ACTIVE)))
            .keyboardRow(
                new InlineKeyboardRow(button(Texts.MENU_SUCCESSFUL.in(language), SUCCESSFUL)))
            .keyboardRow(new InlineKeyboardRow(button(Texts.MENU_FAILED.in(language), FAILED)))
            .keyboardRow(
                new InlineKeyboardRow(button(Texts.MENU_CANCELLED.in(language), CANCELLED)))
            .keyboardRow(
                new InlineKeyboardRow(
                    button(Texts.BUTTON_LANGUAGE.in(language), LANGUAGE + other.code())))
            .build());
  }

  /** An empty list says so and offers the way back. */
  public static Screen emptyList(Outcome list, Language language) {
    return new Screen(
        Texts.LIST_EMPTY.in(language, listName(list, language)),
        InlineKeyboardMarkup.builder()
            .keyboardRow(new InlineKeyboardRow(button(Texts.BUTTON_BACK.in(language), MENU)))
            .build());
  }

  /** A question with "yes" and "cancel" for a pending action's token. */
  public static Screen confirmation(String question, String yes, String token, Language language) {
    return new Screen(
        question,
        InlineKeyboardMarkup.builder()
            .keyboardRow(
                new InlineKeyboardRow(
                    button(yes, CONFIRM + token),
                    button(Texts.BUTTON_CANCEL.in(language), CANCEL + token)))
            .build());
  }

  /** The list a menu button or pager letter names. */
  public static Optional<Outcome> list(String menuDataOrLetter) {
    for (Outcome o : Outcome.values()) {
      if (menuDataOrLetter.equals("menu:" + o.wire()) || menuDataOrLetter.equals(listCode(o))) {
        return Optional.of(o);
      }
    }
    return Optional.empty();
  }

  /** One letter per list in the pager's callback data ({@code l:<letter>:<index>}). */
  public static String listCode(Outcome list) {
    return list.wire().substring(0, 1);
  }

  static String listName(Outcome list, Language language) {
    return switch (list) {
      case ACTIVE -> Texts.MENU_ACTIVE.in(language);
      case SUCCESSFUL -> Texts.MENU_SUCCESSFUL.in(language);
      case FAILED -> Texts.MENU_FAILED.in(language);
      case CANCELLED -> Texts.MENU_CANCELLED.in(language);
    };
  }

  public static InlineKeyboardButton button(String text, String data) {
    return InlineKeyboardButton.builder().text(text).callbackData(data).build();
  }
}
