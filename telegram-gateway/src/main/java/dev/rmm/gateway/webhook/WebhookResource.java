package dev.rmm.gateway.webhook;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.TelegramBot;
import dev.rmm.gateway.bot.UpdateHandler;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jboss.logging.Logger;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * Telegram's webhook (webhook mode): every request must carry the secret given to {@code
 * setWebhook} in {@code X-Telegram-Bot-Api-Secret-Token}; anything else is refused without being
 * read. An accepted update is handled in the request and answered 200 once it is done with; an
 * update that cannot be handled now (Redis unavailable) is answered 503 with Retry-After, so
 * Telegram delivers it again ("in case of an unsuccessful request, we will give up after a
 * reasonable amount of attempts"); a redelivery of a handled update is ignored by update id.
 * Refusals are problem+json.
 */
@Path("/telegram/webhook")
public class WebhookResource {

  private static final Logger LOG = Logger.getLogger(WebhookResource.class);

  /** The header Telegram sends the webhook secret in. */
  public static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

  private final TelegramBot bot;
  private final UpdateHandler handler;
  private final byte[] secret;

  WebhookResource(TelegramBot bot, UpdateHandler handler, GatewayConfig config) {
    this.bot = bot;
    this.handler = handler;
    this.secret = config.telegram().webhookSecret().orElse("").getBytes(StandardCharsets.UTF_8);
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Response update(@HeaderParam(SECRET_HEADER) String given, byte[] body) {
    if (!bot.webhookActive()) {
      return problem(404, "Not Found", "The bot does not take updates by webhook here.");
    }
    if (given == null
        || secret.length == 0
        || !MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
      LOG.warn("Refused a webhook request without the right secret token");
      return problem(
          401, "Unauthorized", "The request lacks the right " + SECRET_HEADER + " header.");
    }
    Update update;
    try {
      update = body == null || body.length == 0 ? null : JSON.readValue(body, Update.class);
    } catch (IOException | RuntimeException e) {
      LOG.warnf("Refused an unreadable webhook update: %s", e.getMessage());
      return problem(400, "Bad Request", "The body is not a Telegram Update object.");
    }
    if (update == null || update.getUpdateId() == null) {
      return problem(400, "Bad Request", "The body is not an Update with an update_id.");
    }
    if (handler.handle(update) == UpdateHandler.Handled.RETRY) {
      return Response.fromResponse(
              problem(
                  503,
                  "Service Unavailable",
                  "The update cannot be handled now; deliver it again later."))
          .header("Retry-After", "5")
          .build();
    }
    return Response.ok().build();
  }

  private static Response problem(int status, String title, String detail) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("type", "about:blank").put("title", title).put("status", status).put("detail", detail);
    return Response.status(status).type("application/problem+json").entity(body.toString()).build();
  }
}
