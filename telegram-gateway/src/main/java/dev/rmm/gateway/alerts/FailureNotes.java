package dev.rmm.gateway.alerts;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.ops.Redactor;
import dev.rmm.contracts.readmodel.ReleaseView;
import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.Texts.Language;
import dev.rmm.gateway.releases.ReleaseReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The AI note of a failure alert (the design's "AI analysis of the error"): once the alert is in
 * the chat, an OpenAI-compatible chat-completions API is asked for the probable cause and the next
 * step, with the release's context and the failing step's output tail, secrets redacted (see {@link
 * FailurePrompt}). The answer is handed to the alerts chat, which edits it into the alert.
 *
 * <p>It never holds an alert up: the request waits on a thread of its own, with a small queue (a
 * burst of failures beyond it gets no notes), bounded by {@code rmm.ai.timeout} and {@code
 * rmm.ai.max-tokens}, without retries. Whatever goes wrong (timeout, an HTTP error, an answer that
 * is not one) is logged once and the alert stays as it was. Without {@code RMM_AI_API_KEY} it is
 * off and asks nothing.
 */
@ApplicationScoped
public class FailureNotes {

  private static final Logger LOG = Logger.getLogger(FailureNotes.class);

  /** The alerts that get a note: a release failed, so someone has to act on it. */
  static final Set<String> EXPLAINED =
      Set.of(
          Alert.DISPATCH_FAILED,
          Alert.PRODUCTION_FAILED,
          Alert.ROLLBACK_FAILED,
          Alert.STAGE_FAILED);

  /** The counter of notes by outcome: added, failed (the model did not answer one), dropped. */
  static final String METRIC = "rmm.alerts.ai.notes";

  /** How much longer than {@code rmm.ai.timeout} a call may take before it is abandoned. */
  private static final Duration GRACE = Duration.ofSeconds(1);

  /**
   * Calls abandoned at the time bound and not yet ended (their thread is interrupted) beyond which
   * no new call starts.
   */
  private static final int MAX_CALLS = 4;

  /** Notes waiting for the model beyond the one being written. */
  static final int MAX_WAITING = 16;

  private final GatewayConfig.Ai config;
  private final ReleaseReader reader;
  private final Language language;
  private final Redactor redactor;
  private final Optional<ChatModel> model;
  private final ThreadPoolExecutor worker;
  private final ThreadPoolExecutor calls;
  private final Counter added;
  private final Counter failed;
  private final Counter dropped;

  FailureNotes(GatewayConfig config, ReleaseReader reader, MeterRegistry meters) {
    this.added = outcome(meters, "added");
    this.failed = outcome(meters, "failed");
    this.dropped = outcome(meters, "dropped");
    this.config = config.ai();
    this.reader = reader;
    this.language = Language.parse(config.telegram().defaultLanguage());
    Optional<String> key = this.config.apiKey().filter(k -> !k.isBlank());
    List<String> secrets = new ArrayList<>();
    key.ifPresent(secrets::add);
    config.telegram().botToken().ifPresent(secrets::add);
    config.telegram().callbackSecret().ifPresent(secrets::add);
    config.telegram().webhookSecret().ifPresent(secrets::add);
    this.redactor = Redactor.fromEnvironment(System.getenv()).with(secrets);
    this.model = key.map(this::model);
    this.worker =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING),
            r -> {
              Thread t = new Thread(r, "rmm-alert-notes");
              t.setDaemon(true);
              return t;
            });
    this.calls =
        new ThreadPoolExecutor(
            0,
            MAX_CALLS,
            1,
            TimeUnit.MINUTES,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "rmm-alert-notes-call");
              t.setDaemon(true);
              return t;
            });
  }

  private static Counter outcome(MeterRegistry meters, String outcome) {
    return Counter.builder(METRIC)
        .description("AI notes on failure alerts, by outcome")
        .tag("outcome", outcome)
        .register(meters);
  }

  private ChatModel model(String key) {
    return OpenAiChatModel.builder()
        .baseUrl(config.baseUrl())
        .apiKey(key)
        .modelName(config.model())
        .timeout(config.timeout())
        .maxRetries(0) // one bounded try: a note that comes late is no help
        .maxTokens(config.maxTokens())
        .temperature(0.2)
        .logRequests(false) // the request carries the key
        .logResponses(false)
        .build();
  }

  void started(@Observes StartupEvent e) {
    if (model.isEmpty()) {
      LOG.info("AI notes on failure alerts are off: RMM_AI_API_KEY is not set");
    } else {
      LOG.infof(
          "AI notes on failure alerts are on: model %s at %s (at most %s and %d tokens each)",
          config.model(), config.baseUrl(), config.timeout(), config.maxTokens());
    }
  }

  @PreDestroy
  void stop() {
    worker.shutdownNow();
    calls.shutdownNow();
  }

  /** Whether this alert gets a note. */
  public boolean explains(Alert alert) {
    return model.isPresent() && EXPLAINED.contains(alert.kind());
  }

  /**
   * Asks for the alert's note in the background and hands it to {@code show} when it came; returns
   * at once.
   */
  public void request(Alert alert, Consumer<String> show) {
    try {
      worker.execute(() -> explain(alert, show));
    } catch (RejectedExecutionException e) {
      dropped.increment();
      LOG.warnf(
          "Alert %s gets no AI note: %d notes already wait for the model",
          alert.fingerprint(), MAX_WAITING);
    }
  }

  private void explain(Alert alert, Consumer<String> show) {
    FailurePrompt.Messages prompt =
        FailurePrompt.of(
            failure(alert),
            language,
            redactor,
            config.outputTailChars(),
            UUID.randomUUID().toString().replace("-", ""));
    ChatRequest request =
        ChatRequest.builder()
            .messages(SystemMessage.from(prompt.system()), UserMessage.from(prompt.user()))
            .build();
    String answer;
    Future<ChatResponse> call = null;
    try {
      call = calls.submit(() -> model.get().chat(request));
      // the client's own timeout covers the wait for the answer's headers; this covers the rest
      // (a server that sends its headers and then trickles or holds the body)
      ChatResponse response =
          call.get(config.timeout().plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
      AiMessage message = response == null ? null : response.aiMessage();
      answer = message == null ? null : message.text();
    } catch (java.util.concurrent.TimeoutException e) {
      call.cancel(true);
      notAnswered(alert, "no answer within " + config.timeout().plus(GRACE));
      return;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      notAnswered(
          alert,
          cause.getClass().getSimpleName()
              + ": "
              + clip(redactor.redact(String.valueOf(cause.getMessage()))));
      return;
    } catch (RejectedExecutionException e) {
      notAnswered(alert, MAX_CALLS + " earlier calls still hang");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the gateway is stopping
      if (call != null) {
        call.cancel(true);
      }
      return;
    }
    Optional<String> note = FailurePrompt.answer(answer);
    if (note.isEmpty()) {
      failed.increment();
      LOG.warnf(
          "Alert %s gets no AI note: %s answered with no text; the alert stays as it was",
          alert.fingerprint(), config.model());
      return;
    }
    added.increment();
    show.accept(note.get());
  }

  private void notAnswered(Alert alert, String why) {
    failed.increment();
    LOG.warnf(
        "Alert %s gets no AI note: %s at %s failed (%s); the alert stays as it was",
        alert.fingerprint(), config.model(), config.baseUrl(), why);
  }

  /** An error's message for one log line: an HTTP error may carry a whole page. */
  private static String clip(String message) {
    String oneLine = message.replaceAll("\\s+", " ").strip();
    return oneLine.length() > 300 ? oneLine.substring(0, 299) + "…" : oneLine;
  }

  /** The alert with what the read model adds: the release's status, the failed step and output. */
  private FailurePrompt.Failure failure(Alert a) {
    String status = null;
    String step = null;
    String output = null;
    if (a.releaseId() != null) {
      try {
        Optional<ReleaseView> release = reader.release(a.releaseId());
        status = release.map(r -> r.status() == null ? null : r.status().wire()).orElse(null);
        step =
            release
                .map(ReleaseView::runbook)
                .map(dev.rmm.contracts.readmodel.Runbook::failedStep)
                .orElse(null);
        if (Alert.ROLLBACK_FAILED.equals(a.kind())) {
          Optional<ReleaseReader.FailedStep> failed = reader.lastFailedStep(a.releaseId());
          if (failed.isPresent()) {
            ReleaseReader.FailedStep f = failed.get();
            step = f.step() + " (exit code " + f.exitCode() + ", command: " + f.command() + ")";
            output = f.outputTail();
          }
        }
      } catch (RuntimeException e) {
        LOG.infof(
            "The read model did not answer for the AI note of alert %s (%s); it is written from"
                + " the alert alone",
            a.fingerprint(), e.getMessage());
      }
    }
    return new FailurePrompt.Failure(
        a.kind(), a.service(), a.tag(), status, step, a.summary(), a.detail(), output);
  }
}
