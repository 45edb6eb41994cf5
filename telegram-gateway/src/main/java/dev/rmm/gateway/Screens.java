package dev.rmm.gateway;

import dev.rmm.contracts.Outcome;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.releases.ReleaseReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
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

  /**
   * Callback data prefix of the pager ({@code l:<list letter>:<index>}, then {@code :<service key>}
   * when the list is narrowed to one service).
   */
  public static final String PAGE = "l:";

  /**
   * Callback data prefix of the service picker's buttons ({@code sv:<list letter>:<service key>},
   * {@code *} for every service).
   */
  public static final String SERVICE = "sv:";

  /** The picker's key for every service. */
  public static final String ALL_SERVICES = "*";

  /** The most services the picker shows as buttons (the ones with the newest releases). */
  public static final int MAX_SERVICES = 20;

  /** The longest service name a picker button shows before it is cut. */
  private static final int MAX_BUTTON_NAME = 32;

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

  /**
   * Before a list: which service? One button per service with releases in the list (the newest
   * first, two per row, at most {@link #MAX_SERVICES}), then every service, then the menu.
   */
  public static Screen servicePicker(
      Outcome list, List<ReleaseReader.ServiceCount> services, Language language) {
    InlineKeyboardMarkup.InlineKeyboardMarkupBuilder<?, ?> k = InlineKeyboardMarkup.builder();
    String l = listCode(list);
    List<InlineKeyboardButton> row = new ArrayList<>();
    long total = services.stream().mapToLong(ReleaseReader.ServiceCount::releases).sum();
    for (ReleaseReader.ServiceCount s :
        services.subList(0, Math.min(MAX_SERVICES, services.size()))) {
      row.add(
          button(
              shortName(s.service()) + " (" + s.releases() + ")",
              SERVICE + l + ":" + serviceKey(s.service())));
      if (row.size() == 2) {
        k.keyboardRow(new InlineKeyboardRow(row));
        row = new ArrayList<>();
      }
    }
    if (!row.isEmpty()) {
      k.keyboardRow(new InlineKeyboardRow(row));
    }
    k.keyboardRow(
        new InlineKeyboardRow(
            button(Texts.ALL_SERVICES.in(language, total), SERVICE + l + ":" + ALL_SERVICES)));
    k.keyboardRow(new InlineKeyboardRow(button(Texts.BUTTON_BACK.in(language), MENU)));
    String text =
        services.size() > MAX_SERVICES
            ? Texts.PICK_SERVICE_MANY.in(language, listName(list, language), MAX_SERVICES)
            : Texts.PICK_SERVICE.in(language, listName(list, language));
    return new Screen(text, k.build());
  }

  /**
   * A service's key in callback data: 8 characters of its name's SHA-256 (a name may be longer than
   * the 64 bytes Telegram allows for the whole data).
   */
  public static String serviceKey(String service) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(service.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(h).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String shortName(String service) {
    return service.codePointCount(0, service.length()) <= MAX_BUTTON_NAME
        ? service
        : service.substring(0, service.offsetByCodePoints(0, MAX_BUTTON_NAME - 1)) + "…";
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
