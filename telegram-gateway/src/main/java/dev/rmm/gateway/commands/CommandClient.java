package dev.rmm.gateway.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.CommandResult;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.kafka.CommandChannel;
import dev.rmm.contracts.tracing.TraceContext;
import dev.rmm.gateway.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Asks release-api, the single writer, to decide a user's action over the command protocol ({@link
 * CommandChannel}). The gateway never writes the event log.
 */
@ApplicationScoped
public class CommandClient {

  /** Raised when release-api did not answer in time; the command may still be decided later. */
  public static final class NoAnswerException extends Exception {
    NoAnswerException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final String bootstrap;
  private final GatewayConfig.Topics topics;
  private CommandChannel channel;

  CommandClient(
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, GatewayConfig config) {
    this.bootstrap = bootstrap;
    this.topics = config.topics();
  }

  /** Starts reading answers (in the background, waiting for release-api to create the topic). */
  public synchronized void start() {
    if (channel == null) {
      channel = new CommandChannel(bootstrap, topics.commands(), topics.results());
    }
  }

  /**
   * Sends a command and waits for release-api's answer (the results-topic JSON). The command
   * carries the moment this wait ends: release-api drops it (answering "expired") if it reads it
   * later, so a press the user was already told had no answer is not carried out behind their back.
   * The answer is bound to {@link CommandResult}: callers read typed fields, not JSON keys.
   */
  public CommandResult decide(String commandId, ReleaseCommand command, Duration timeout)
      throws NoAnswerException {
    start();
    long deadline = System.nanoTime() + timeout.toNanos();
    Instant givesUpAt = Instant.now().plus(timeout);
    try {
      if (!channel.awaitReady(timeout)) {
        throw new NoAnswerException("the results topic is not readable yet", null);
      }
      long left = Math.max(1, deadline - System.nanoTime());
      JsonNode answer =
          channel
              .send(commandId, command, commandId, TraceContext.current(), null, givesUpAt)
              .get(left, TimeUnit.NANOSECONDS);
      return EventCodec.mapper().treeToValue(answer, CommandResult.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "release-api's answer to command " + commandId + " does not bind to CommandResult", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NoAnswerException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new NoAnswerException(
          "release-api did not answer command " + commandId + " within " + timeout, e);
    }
  }

  synchronized void onStop(@Observes ShutdownEvent ev) {
    if (channel != null) {
      channel.close();
    }
  }
}
