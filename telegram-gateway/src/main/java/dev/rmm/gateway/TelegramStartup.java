package dev.rmm.gateway;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Says at start-up whether Telegram is connected. The bot itself (menus, cards, approvals) is issue
 * 3; until then the gateway only runs and reports health.
 */
public class TelegramStartup {

  private static final Logger LOG = Logger.getLogger(TelegramStartup.class);

  void onStart(
      @Observes StartupEvent ev,
      @ConfigProperty(name = "rmm.telegram.bot-token") Optional<String> token) {
    if (token.filter(t -> !t.isBlank()).isEmpty()) {
      LOG.warn(
          "Telegram is disabled: TELEGRAM_BOT_TOKEN is not set. Set it to connect the bot; "
              + "the gateway keeps running and /q/health stays green.");
    } else {
      LOG.info(
          "TELEGRAM_BOT_TOKEN is set, but the bot screens are not built yet (issue 3); "
              + "no updates are read.");
    }
  }
}
