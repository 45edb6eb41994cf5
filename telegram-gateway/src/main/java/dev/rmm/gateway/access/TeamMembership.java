package dev.rmm.gateway.access;

import dev.rmm.gateway.bot.Replies;
import dev.rmm.gateway.telegram.BotClient;
import dev.rmm.gateway.telegram.BotClient.Delivery;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Set;
import org.telegram.telegrambots.meta.api.methods.groupadministration.GetChatMember;
import org.telegram.telegrambots.meta.api.objects.chatmember.ChatMember;
import org.telegram.telegrambots.meta.api.objects.chatmember.ChatMemberRestricted;

/**
 * Asks Telegram whether someone is in the team chat ({@code getChatMember}). The owner, the
 * administrators, the members and restricted users who are still in the chat ({@code is_member})
 * count; those who left or were banned do not, nor does anyone when Telegram says the bot cannot
 * see the chat (it answers 400 "chat not found" or "user not found").
 */
@ApplicationScoped
public class TeamMembership {

  private static final Set<String> IN_CHAT = Set.of("creator", "administrator", "member");

  private final Replies replies;

  TeamMembership(Replies replies) {
    this.replies = replies;
  }

  /**
   * @throws UncheckedIOException when Telegram did not answer (an outage, flood control beyond a
   *     few seconds): the update is handled again later
   */
  public boolean isMember(long chatId, long userId) {
    Optional<BotClient> bot = replies.bot();
    if (bot.isEmpty()) {
      return false;
    }
    BotClient.Reply<ChatMember> reply =
        bot.get()
            .call(
                GetChatMember.builder().chatId(chatId).userId(userId).build(),
                Delivery.INTERACTIVE);
    if (reply.refused()) {
      return false;
    }
    if (!reply.ok() || reply.result() == null) {
      throw new UncheckedIOException(
          new IOException(
              "Telegram did not answer getChatMember for the team chat: " + reply.description()));
    }
    return counts(reply.result());
  }

  static boolean counts(ChatMember m) {
    if (m instanceof ChatMemberRestricted r) {
      return Boolean.TRUE.equals(r.getIsMember());
    }
    return IN_CHAT.contains(m.getStatus());
  }
}
