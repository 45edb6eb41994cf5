package dev.rmm.gateway.alerts;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.card.CallbackData;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardButton;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardRow;

/**
 * The "✅ Confirm break-glass" button under a break-glass request's alert (issue 15 point 4): the
 * on-call admins read the alerts chat, so the second admin can confirm from there as from the team
 * chat's card. The press goes the card's way (an admin only, a confirmation first, the decider's
 * rules: the admin who asked may not confirm, a late confirmation is refused and the request
 * recorded expired); the version is the request's, which the decider takes as seen (the release is
 * still in manual testing).
 */
public final class BreakGlassAlertButton {

  private static final Logger LOG = Logger.getLogger(BreakGlassAlertButton.class);

  private BreakGlassAlertButton() {}

  /** The button for a break-glass request's event; null for any other event. */
  public static InlineKeyboardMarkup of(EventEnvelope e, CallbackData callbacks, Language lang) {
    if (!(e.data() instanceof ReleaseEvent.BreakGlassRequested)) {
      return null;
    }
    String data;
    try {
      data =
          callbacks.encode(
              CallbackData.Action.CONFIRM_BREAK_GLASS_ALERT, e.releaseId(), e.sequence());
    } catch (IllegalArgumentException notData) {
      // an id no button can carry (a forged log): the alert goes out, the card's button remains
      LOG.warnf(
          "The break-glass alert of release %s gets no confirm button: %s",
          e.releaseId(), notData.getMessage());
      return null;
    }
    return InlineKeyboardMarkup.builder()
        .keyboardRow(
            new InlineKeyboardRow(
                InlineKeyboardButton.builder()
                    .text(Texts.BUTTON_CONFIRM_BREAK_GLASS.in(lang))
                    .callbackData(data)
                    .build()))
        .build();
  }
}
