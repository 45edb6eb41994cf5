package dev.rmm.gateway.bot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.Texts.Language;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The conversation state of the bot, in Redis so that every gateway instance (behind a webhook load
 * balancer) and a restarted one see it: confirmations waiting for "yes", rejections waiting for
 * their reason, and each user's language.
 *
 * <p>A confirmation button carries only a random 96-bit token; what it confirms stays here, so it
 * can be neither guessed nor altered, and taking it (GETDEL) is atomic: a double click confirms
 * once.
 */
@ApplicationScoped
public class Sessions {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

  private final ValueCommands<String, String> values;
  private final long ttlSeconds;

  Sessions(RedisDataSource redis, GatewayConfig config) {
    this.values = redis.value(String.class);
    this.ttlSeconds = config.telegram().confirmationTtl().toSeconds();
  }

  /** Keeps an action until confirmed; returns the token its buttons carry (16 characters). */
  public String offer(PendingAction action) {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    values.set("rmm:tg:pending:" + token, write(action), new SetArgs().ex(ttlSeconds));
    return token;
  }

  /** The action behind a token, left in place. */
  public Optional<PendingAction> peek(String token) {
    return Optional.ofNullable(values.get("rmm:tg:pending:" + token)).map(Sessions::read);
  }

  /** The action behind a token, removed so that it runs at most once. */
  public Optional<PendingAction> take(String token) {
    return Optional.ofNullable(values.getdel("rmm:tg:pending:" + token)).map(Sessions::read);
  }

  /** Remembers that the user's next message in this chat is the reason for a rejection. */
  public void awaitReason(long chatId, long userId, PendingAction action) {
    values.set(reasonKey(chatId, userId), write(action), new SetArgs().ex(ttlSeconds));
  }

  /** The rejection waiting for this user's reason, removed. */
  public Optional<PendingAction> takeAwaitedReason(long chatId, long userId) {
    return Optional.ofNullable(values.getdel(reasonKey(chatId, userId))).map(Sessions::read);
  }

  public Optional<Language> language(long userId) {
    return Optional.ofNullable(values.get("rmm:tg:lang:" + userId)).map(Language::parse);
  }

  public void setLanguage(long userId, Language language) {
    values.set("rmm:tg:lang:" + userId, language.name().toLowerCase(java.util.Locale.ROOT));
  }

  private static String reasonKey(long chatId, long userId) {
    return "rmm:tg:reason:" + chatId + ":" + userId;
  }

  private static String write(PendingAction a) {
    try {
      return JSON.writeValueAsString(a);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PendingAction read(String json) {
    try {
      return JSON.readValue(json, PendingAction.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable pending action in Redis: " + e.getMessage(), e);
    }
  }
}
