package dev.rmm.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Configuration of telegram-gateway. The bot token comes only from the environment. */
@ConfigMapping(prefix = "rmm.telegram")
public interface GatewayConfig {

  /** The bot's token from @BotFather (TELEGRAM_BOT_TOKEN); without it Telegram is off. */
  Optional<String> botToken();

  /** The Bot API server: Telegram's, or a local Bot API server. */
  @WithDefault("https://api.telegram.org")
  String apiUrl();

  /** Language of users whose Telegram client reports neither Russian nor English: ru or en. */
  @WithDefault("ru")
  String defaultLanguage();

  /** How long an update id is remembered to ignore Telegram's redeliveries. */
  @WithDefault("24h")
  Duration updateMemory();
}
