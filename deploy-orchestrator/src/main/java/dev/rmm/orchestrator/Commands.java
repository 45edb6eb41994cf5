package dev.rmm.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.kafka.CommandChannel;
import dev.rmm.contracts.tracing.TraceContext;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** The orchestrator's side of the command protocol: it asks release-api, which decides. */
public class Commands implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Commands.class);

  private final CommandChannel channel;
  private final Duration timeout;
  private final Actor actor;

  public Commands(CommandChannel channel, Duration timeout, Actor actor) {
    this.channel = channel;
    this.timeout = timeout;
    this.actor = actor;
  }

  /** Who the orchestrator instance is in the log. */
  public Actor actor() {
    return actor;
  }

  /** release-api's answer, or empty when it did not answer in time (try again later). */
  public Optional<JsonNode> decide(ReleaseCommand command) {
    return decide(command, "orch-" + UUID.randomUUID());
  }

  /**
   * Like {@link #decide(ReleaseCommand)} with the command id given: a command whose id is derived
   * from what it is about (a supersede names both releases) has one effect however often it is
   * sent, by this instance again or by another orchestrator.
   */
  public Optional<JsonNode> decide(ReleaseCommand command, String id) {
    try {
      if (!channel.awaitReady(timeout)) {
        LOG.warn("release-api's answers are not readable yet; trying again later");
        return Optional.empty();
      }
      return Optional.of(
          channel
              .send(id, command, id, TraceContext.current(), null)
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      LOG.warnf(
          "release-api did not answer %s for release %s: %s; trying again later",
          command.getClass().getSimpleName(), command.releaseId(), e.toString());
      return Optional.empty();
    }
  }

  /**
   * Like {@link #decide(ReleaseCommand, String)} without holding the calling thread: completes with
   * the answer, or empty when release-api did not answer in time or Kafka refused the command (both
   * logged). Many commands can then be in flight at once: release-api decides them in batches,
   * where one at a time would cost a round trip through two topics each.
   */
  public CompletableFuture<Optional<JsonNode>> decideAsync(ReleaseCommand command, String id) {
    try {
      if (!channel.awaitReady(timeout)) {
        LOG.warn("release-api's answers are not readable yet; trying again later");
        return CompletableFuture.completedFuture(Optional.empty());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return channel
        .send(id, command, id, TraceContext.current(), null)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (answer, e) -> {
              if (e == null) {
                return Optional.of(answer);
              }
              LOG.warnf(
                  "release-api did not answer %s for release %s: %s; trying again later",
                  command.getClass().getSimpleName(), command.releaseId(), e.toString());
              return Optional.empty();
            });
  }

  /** Whether an answer accepted the command and appended an event of {@code type}. */
  public static boolean appended(JsonNode answer, String type) {
    if (!"accepted".equals(answer.path("outcome").asText())) {
      return false;
    }
    for (JsonNode t : answer.path("events")) {
      if (t.asText().equals(type)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    channel.close();
  }
}
