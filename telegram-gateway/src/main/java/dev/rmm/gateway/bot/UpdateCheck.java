package dev.rmm.gateway.bot;

import java.util.Optional;
import org.telegram.telegrambots.meta.api.objects.CallbackQuery;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.User;
import org.telegram.telegrambots.meta.api.objects.message.MaybeInaccessibleMessage;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/**
 * The fields the Bot API marks as always present in the parts of an update the bot reads
 * (https://core.telegram.org/bots/api#update): an update lacking one did not come from Telegram,
 * and is refused before anything is recorded for it.
 */
final class UpdateCheck {

  private UpdateCheck() {}

  /** What is missing, or empty for an update the handler can read. */
  static Optional<String> problem(Update u) {
    if (u.hasCallbackQuery()) {
      CallbackQuery q = u.getCallbackQuery();
      if (q.getId() == null || q.getId().isEmpty()) {
        return Optional.of("a callback_query without id");
      }
      return user(q.getFrom(), "callback_query").or(() -> message(q.getMessage()));
    }
    if (u.hasMessage()) {
      Message m = u.getMessage();
      return message(m)
          .or(() -> m.getFrom() == null ? Optional.empty() : user(m.getFrom(), "message"));
    }
    return Optional.empty();
  }

  private static Optional<String> user(User user, String where) {
    if (user == null) {
      return Optional.of("a " + where + " without from");
    }
    if (user.getId() == null || user.getFirstName() == null) {
      return Optional.of("a " + where + " from a user without id or first_name");
    }
    return Optional.empty();
  }

  private static Optional<String> message(MaybeInaccessibleMessage m) {
    if (m == null) {
      return Optional.empty(); // a button of an inline message: answered as not ours
    }
    if (m.getMessageId() == null || m.getChat() == null || m.getChat().getId() == null) {
      return Optional.of("a message without message_id or chat");
    }
    return Optional.empty();
  }
}
