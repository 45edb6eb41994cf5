package dev.rmm.gateway.access;

import dev.rmm.gateway.bot.Cards;
import dev.rmm.gateway.card.CallbackData;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.telegram.telegrambots.meta.api.objects.CallbackQuery;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardButton;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardRow;

/**
 * Every button the bot shows carries signed data, and a press counts only on the message that
 * carries its button. Telegram lets a client send any callback data for any message with buttons,
 * so without both a client could page the team chat's live card away (forged {@code l:a:999}), or
 * press a genuine button of another message on it.
 *
 * <p>Card actions are signed by {@link CallbackData#encode}; every other button (menus, pagers, the
 * language switch, confirmations, the rollback picker) is signed here as it leaves the bot, so no
 * screen can forget it. A card action also counts on a card of the same release whose buttons moved
 * on to a newer version meanwhile: the version check then refreshes the card, as before.
 */
@ApplicationScoped
public class SignedButtons {

  private final CallbackData callbacks;

  SignedButtons(Cards cards) {
    this.callbacks = cards.callbacks();
  }

  /** Signs the data of every button not signed yet; returns the same keyboard. */
  public InlineKeyboardMarkup sign(InlineKeyboardMarkup keyboard) {
    if (keyboard == null || keyboard.getKeyboard() == null) {
      return keyboard;
    }
    for (InlineKeyboardRow row : keyboard.getKeyboard()) {
      for (InlineKeyboardButton b : row) {
        String data = b.getCallbackData();
        if (data != null && callbacks.open(data).isEmpty()) {
          b.setCallbackData(callbacks.sign(data));
        }
      }
    }
    return keyboard;
  }

  /** Whether the data is signed by the bot (wherever it was pressed). */
  public boolean isSigned(String data) {
    return callbacks.open(data).isPresent();
  }

  /**
   * The data of a press to act on: a card action as pressed (for {@link CallbackData#decode}),
   * anything else without its signature. Empty when the data is not signed by the bot, or is not a
   * button of the message it was pressed on.
   */
  public Optional<String> pressed(CallbackQuery q) {
    String data = q.getData();
    Optional<String> body = callbacks.open(data);
    if (body.isEmpty() || !(q.getMessage() instanceof Message m) || !m.hasReplyMarkup()) {
      return Optional.empty();
    }
    Optional<CallbackData.Press> press = callbacks.decode(data);
    InlineKeyboardMarkup shown = m.getReplyMarkup();
    if (shown.getKeyboard() == null) {
      return Optional.empty();
    }
    for (InlineKeyboardRow row : shown.getKeyboard()) {
      for (InlineKeyboardButton b : row) {
        String there = b.getCallbackData();
        if (data.equals(there)) {
          return Optional.of(press.isPresent() ? data : body.get());
        }
        if (press.isPresent() && sameRelease(press.get(), there)) {
          return Optional.of(data);
        }
      }
    }
    return Optional.empty();
  }

  private boolean sameRelease(CallbackData.Press press, String there) {
    return callbacks.decode(there).filter(p -> p.releaseId().equals(press.releaseId())).isPresent();
  }
}
