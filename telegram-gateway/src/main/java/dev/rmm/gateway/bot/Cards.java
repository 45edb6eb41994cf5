package dev.rmm.gateway.bot;

import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.Screens;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.card.CallbackData;
import dev.rmm.gateway.card.ReleaseCard;
import dev.rmm.gateway.card.ReleaseCard.Card;
import dev.rmm.gateway.releases.ReleaseReader;
import dev.rmm.gateway.releases.ReleaseReader.Page;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Release cards as the bot shows them: in a user's chat, paged within a list; in the team chat, the
 * one live card per release. Knows the signing key of the cards' buttons.
 */
@ApplicationScoped
public class Cards {

  private final ReleaseReader reader;
  private final CallbackData callbacks;
  private final ReleaseCard card;
  private final ZoneId zone;
  private final Optional<Long> teamChat;
  private final Language teamLanguage;
  private final Clock clock = Clock.systemUTC();

  Cards(ReleaseReader reader, GatewayConfig config) {
    this.reader = reader;
    this.callbacks = new CallbackData(secret(config.telegram()));
    this.card = new ReleaseCard(callbacks);
    this.zone = config.telegram().timeZone();
    this.teamChat = config.telegram().teamChatId();
    this.teamLanguage = Language.parse(config.telegram().defaultLanguage());
  }

  /**
   * The team chat's language: its cards stay in it whoever presses their buttons (a user's own
   * language is for what the bot says to that user).
   */
  public Language teamLanguage() {
    return teamLanguage;
  }

  public CallbackData callbacks() {
    return callbacks;
  }

  public boolean isTeamChat(long chatId) {
    return teamChat.isPresent() && teamChat.get() == chatId;
  }

  public Card page(Page p, Language lang) {
    return card.render(
        p.release(),
        lang,
        zone,
        clock.instant(),
        p.list(),
        p.index(),
        p.total(),
        p.service() == null ? null : Screens.serviceKey(p.service()));
  }

  public Card live(ReleaseView release, Language lang) {
    return card.renderLive(release, lang, zone, clock.instant());
  }

  /**
   * The card of a release as it is now (at least at {@code version}), in the style of the chat it
   * is in (a team card in the team's language, not {@code lang}); empty when the release is
   * unknown.
   */
  public Optional<Card> current(String releaseId, long version, long chatId, Language lang) {
    if (isTeamChat(chatId)) {
      return reader
          .releaseAtLeast(releaseId, version, Duration.ofSeconds(2))
          .map(r -> live(r, teamLanguage));
    }
    reader.releaseAtLeast(releaseId, version, Duration.ofSeconds(2));
    return reader.pageOf(releaseId).map(p -> page(p, lang));
  }

  public ZoneId zone() {
    return zone;
  }

  /** The configured callback secret, else one derived from the bot token, else a random one. */
  private static byte[] secret(GatewayConfig.Telegram config) {
    Optional<String> configured = config.callbackSecret().filter(s -> !s.isBlank());
    if (configured.isPresent()) {
      return configured.get().getBytes(StandardCharsets.UTF_8);
    }
    Optional<String> token = config.botToken().filter(s -> !s.isBlank());
    if (token.isPresent()) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(token.get().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac.doFinal("rmm callback data".getBytes(StandardCharsets.UTF_8));
      } catch (NoSuchAlgorithmException | InvalidKeyException e) {
        throw new IllegalStateException(e);
      }
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    return random;
  }
}
