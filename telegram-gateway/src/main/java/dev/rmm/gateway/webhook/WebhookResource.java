package dev.rmm.gateway.webhook;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.TelegramBot;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * Telegram's webhook (webhook mode): every request must carry the secret given to {@code
 * setWebhook} in {@code X-Telegram-Bot-Api-Secret-Token}; anything else is refused without being
 * read. An accepted update is answered 200 at once and handled by the bot's workers, so Telegram
 * does not time out and redeliver; a redelivery is ignored by update id anyway.
 */
@Path("/telegram/webhook")
public class WebhookResource {

  private static final Logger LOG = Logger.getLogger(WebhookResource.class);

  /** The header Telegram sends the webhook secret in. */
  public static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final TelegramBot bot;
  private final byte[] secret;

  WebhookResource(TelegramBot bot, GatewayConfig config) {
    this.bot = bot;
    this.secret = config.telegram().webhookSecret().orElse("").getBytes(StandardCharsets.UTF_8);
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response update(@HeaderParam(SECRET_HEADER) String given, byte[] body) {
    if (!bot.webhookActive()) {
      return Response.status(Response.Status.NOT_FOUND).build();
    }
    if (given == null
        || secret.length == 0
        || !MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
      LOG.warn("Refused a webhook request without the right secret token");
      return Response.status(Response.Status.UNAUTHORIZED).build();
    }
    Update update;
    try {
      update = JSON.readValue(body, Update.class);
    } catch (IOException e) {
      LOG.warnf("Refused an unreadable webhook update: %s", e.getMessage());
      return Response.status(Response.Status.BAD_REQUEST).build();
    }
    if (update.getUpdateId() == null) {
      return Response.status(Response.Status.BAD_REQUEST).build();
    }
    bot.dispatch(List.of(update));
    return Response.ok().build();
  }
}
