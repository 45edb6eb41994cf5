package dev.rmm.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.ReleaseCommand.Approve;
import dev.rmm.contracts.ReleaseCommand.CancelRelease;
import dev.rmm.contracts.ReleaseCommand.CreateRelease;
import dev.rmm.contracts.ReleaseCommand.Reject;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseCommand.RequestRollback;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;

/**
 * The wire format of commands sent over Kafka (topic {@code rmm.release-commands}, key = release
 * id): by the gateway and the orchestrator, and by a release-api instance that forwards an HTTP
 * request to the instance owning the release's partition ({@code release.create.v1} and {@code
 * repository_scope} exist for that).
 *
 * <pre>{"command_id": "...", "type": "release.approve.v1", "release_id": "...",
 *  "actor": {"kind": "telegram", "id": "1001", "name": "Alice"},
 *  "telegram_user_id": 1001, "seen_version": 7, "reason": "...", "target_tag": "v1.2.2",
 *  "status": "deploying", "detail": "...", "correlation_id": "...", "traceparent": "..."}</pre>
 */
public final class CommandCodec {

  public static final String APPROVE = "release.approve.v1";
  public static final String REJECT = "release.reject.v1";
  public static final String REQUEST_ROLLBACK = "release.request-rollback.v1";
  public static final String CANCEL = "release.cancel.v1";
  public static final String REPORT_STEP = "release.report-step.v1";
  public static final String CREATE = "release.create.v1";
  public static final String START_DISPATCH = "release.start-dispatch.v1";
  public static final String RECORD_DISPATCH = "release.record-dispatch.v1";
  public static final String START_RUNBOOK = "release.start-runbook.v1";
  public static final String RECORD_RUNBOOK_STEP = "release.record-runbook-step.v1";
  public static final String FINISH_RUNBOOK = "release.finish-runbook.v1";

  private static final ObjectMapper MAPPER = EventCodec.mapper();

  private CommandCodec() {}

  /**
   * A decoded command with the id and tracing data that travelled with it.
   *
   * @param repositoryScope when set, the command may only act on releases of this repository (the
   *     token of the forwarded HTTP request belonged to it); null means no restriction
   */
  /**
   * A decoded command.
   *
   * @param deadline when the sender stops waiting for the answer, or null: a command read after it
   *     is answered "expired" and not decided (the sender has already told its user it failed)
   */
  public record Envelope(
      String commandId,
      ReleaseCommand command,
      String correlationId,
      String traceparent,
      String repositoryScope,
      Instant deadline) {}

  public static byte[] encode(
      String commandId, ReleaseCommand command, String correlationId, String traceparent) {
    return encode(commandId, command, correlationId, traceparent, null);
  }

  public static byte[] encode(
      String commandId,
      ReleaseCommand command,
      String correlationId,
      String traceparent,
      String repositoryScope) {
    return encode(commandId, command, correlationId, traceparent, repositoryScope, null);
  }

  /**
   * Encodes a command.
   *
   * @param deadline when the sender stops waiting (epoch milliseconds on the wire), or null
   */
  public static byte[] encode(
      String commandId,
      ReleaseCommand command,
      String correlationId,
      String traceparent,
      String repositoryScope,
      Instant deadline) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("command_id", commandId);
    n.put("release_id", command.releaseId());
    ObjectNode actor = n.putObject("actor");
    actor.put("kind", command.actor().kind().name().toLowerCase(Locale.ROOT));
    actor.put("id", command.actor().id());
    actor.put("name", command.actor().name());
    Actor behalf = command.actor().onBehalfOf();
    if (behalf != null) {
      actor
          .putObject("on_behalf_of")
          .put("kind", behalf.kind().name().toLowerCase(Locale.ROOT))
          .put("id", behalf.id())
          .put("name", behalf.name());
    }
    if (command instanceof Approve c) {
      n.put("type", APPROVE);
      n.put("telegram_user_id", c.telegramUserId());
      n.putPOJO("seen_version", c.seenVersion());
    } else if (command instanceof Reject c) {
      n.put("type", REJECT);
      n.put("telegram_user_id", c.telegramUserId());
      n.put("reason", c.reason());
      n.putPOJO("seen_version", c.seenVersion());
    } else if (command instanceof RequestRollback c) {
      n.put("type", REQUEST_ROLLBACK);
      n.put("telegram_user_id", c.telegramUserId());
      n.put("target_tag", c.targetTag());
      n.putPOJO("seen_version", c.seenVersion());
    } else if (command instanceof CancelRelease c) {
      n.put("type", CANCEL);
      n.put("reason", c.reason());
    } else if (command instanceof ReportStep c) {
      n.put("type", REPORT_STEP);
      n.put("status", c.status().wire());
      n.put("detail", c.detail());
    } else if (command instanceof CreateRelease c) {
      n.put("type", CREATE);
      n.set("spec", MAPPER.valueToTree(c.spec()));
      n.set("policy", MAPPER.valueToTree(c.policy()));
    } else if (command instanceof ReleaseCommand.StartDispatch c) {
      n.put("type", START_DISPATCH);
      n.put("dispatch_id", c.dispatchId());
      n.put("repository", c.repository());
      n.put("workflow", c.workflow());
      n.put("ref", c.ref());
    } else if (command instanceof ReleaseCommand.RecordDispatch c) {
      n.put("type", RECORD_DISPATCH);
      n.put("dispatch_id", c.dispatchId());
      n.put("dispatched", c.dispatched());
      n.put("http_status", c.httpStatus());
      n.put("detail", c.detail());
      n.put("attempts", c.attempts());
    } else if (command instanceof ReleaseCommand.StartRunbook c) {
      n.put("type", START_RUNBOOK);
      n.put("run_id", c.runId());
      n.put("host", c.host());
    } else if (command instanceof ReleaseCommand.RecordRunbookStep c) {
      n.put("type", RECORD_RUNBOOK_STEP);
      n.put("run_id", c.runId());
      n.put("step", c.step());
      n.put("command", c.command());
      n.put("exit_code", c.exitCode());
      n.put("duration_ms", c.durationMs());
      n.put("output_tail", c.outputTail());
      n.put("ok", c.ok());
    } else if (command instanceof ReleaseCommand.FinishRunbook c) {
      n.put("type", FINISH_RUNBOOK);
      n.put("run_id", c.runId());
      n.put("ok", c.ok());
      n.put("failed_step", c.failedStep());
      n.put("detail", c.detail());
    } else {
      throw new IllegalArgumentException("cannot encode " + command.getClass().getSimpleName());
    }
    if (repositoryScope != null) {
      n.put("repository_scope", repositoryScope);
    }
    if (correlationId != null) {
      n.put("correlation_id", correlationId);
    }
    if (traceparent != null) {
      n.put("traceparent", traceparent);
    }
    if (deadline != null) {
      n.put("deadline_ms", deadline.toEpochMilli());
    }
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode command " + commandId, e);
    }
  }

  /**
   * Decodes a command.
   *
   * @throws MalformedCommandException with a message that says what is wrong; {@link
   *     MalformedCommandException#commandId()} is set when the id could be read
   */
  public static Envelope decode(byte[] json) {
    JsonNode n;
    try {
      n = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new MalformedCommandException(null, "not JSON: " + e.getMessage());
    }
    if (n == null || !n.isObject()) {
      throw new MalformedCommandException(null, "a command must be a JSON object");
    }
    String id = n.path("command_id").asText(null);
    if (id == null || id.isBlank()) {
      throw new MalformedCommandException(null, "missing command_id");
    }
    try {
      String releaseId = required(n, "release_id");
      JsonNode a = n.path("actor");
      Actor actor =
          new Actor(
              Actor.Kind.valueOf(required(a, "kind").toUpperCase(Locale.ROOT)),
              required(a, "id"),
              a.path("name").asText(null),
              onBehalfOf(a.path("on_behalf_of")));
      Long seen = n.hasNonNull("seen_version") ? n.get("seen_version").asLong() : null;
      String type = required(n, "type");
      ReleaseCommand command =
          switch (type) {
            case APPROVE -> new Approve(releaseId, userId(n), seen, actor);
            case REJECT ->
                new Reject(releaseId, userId(n), n.path("reason").asText(null), seen, actor);
            case REQUEST_ROLLBACK ->
                new RequestRollback(
                    releaseId, userId(n), n.path("target_tag").asText(null), seen, actor);
            case CANCEL -> new CancelRelease(releaseId, n.path("reason").asText(null), actor);
            case REPORT_STEP ->
                new ReportStep(
                    releaseId,
                    ReleaseStatus.fromWire(required(n, "status")),
                    n.path("detail").asText(null),
                    actor);
            case CREATE ->
                new CreateRelease(
                    MAPPER.treeToValue(object(n, "spec"), ReleaseSpec.class),
                    MAPPER.treeToValue(object(n, "policy"), ApprovalPolicy.class),
                    actor);
            case START_DISPATCH ->
                new ReleaseCommand.StartDispatch(
                    releaseId,
                    required(n, "dispatch_id"),
                    n.path("repository").asText(null),
                    n.path("workflow").asText(null),
                    n.path("ref").asText(null),
                    actor);
            case RECORD_DISPATCH ->
                new ReleaseCommand.RecordDispatch(
                    releaseId,
                    required(n, "dispatch_id"),
                    n.path("dispatched").asBoolean(),
                    n.path("http_status").asInt(),
                    n.path("detail").asText(null),
                    n.path("attempts").asInt(),
                    actor);
            case START_RUNBOOK ->
                new ReleaseCommand.StartRunbook(
                    releaseId, required(n, "run_id"), n.path("host").asText(null), actor);
            case RECORD_RUNBOOK_STEP ->
                new ReleaseCommand.RecordRunbookStep(
                    releaseId,
                    required(n, "run_id"),
                    required(n, "step"),
                    n.path("command").asText(null),
                    n.path("exit_code").asInt(),
                    n.path("duration_ms").asLong(),
                    n.path("output_tail").asText(null),
                    n.path("ok").asBoolean(),
                    actor);
            case FINISH_RUNBOOK ->
                new ReleaseCommand.FinishRunbook(
                    releaseId,
                    required(n, "run_id"),
                    n.path("ok").asBoolean(),
                    n.path("failed_step").asText(null),
                    n.path("detail").asText(null),
                    actor);
            default -> throw new IllegalArgumentException("unknown command type '" + type + "'");
          };
      return new Envelope(
          id,
          command,
          n.path("correlation_id").asText(null),
          n.path("traceparent").asText(null),
          n.path("repository_scope").asText(null),
          deadline(n));
    } catch (IllegalArgumentException | NullPointerException | IOException e) {
      throw new MalformedCommandException(id, e.getMessage());
    }
  }

  private static Instant deadline(JsonNode n) {
    JsonNode v = n.get("deadline_ms");
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToLong()) {
      throw new IllegalArgumentException("deadline_ms must be epoch milliseconds");
    }
    return Instant.ofEpochMilli(v.asLong());
  }

  private static long userId(JsonNode n) {
    JsonNode v = n.get("telegram_user_id");
    if (v == null || !v.canConvertToLong()) {
      throw new IllegalArgumentException("missing or non-numeric telegram_user_id");
    }
    return v.asLong();
  }

  /** A field that must hold a JSON object (a missing one would decode as null). */
  private static JsonNode object(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isObject()) {
      throw new IllegalArgumentException("missing '" + field + "' (a JSON object)");
    }
    return v;
  }

  /** The person a command's actor acts for, or null (absent in commands of older senders). */
  private static Actor onBehalfOf(JsonNode b) {
    if (b.isMissingNode() || b.isNull()) {
      return null;
    }
    return new Actor(
        Actor.Kind.valueOf(required(b, "kind").toUpperCase(Locale.ROOT)),
        required(b, "id"),
        b.path("name").asText(null));
  }

  private static String required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException("missing '" + field + "'");
    }
    return v.asText();
  }

  /** The bytes are not a command this version understands. */
  public static final class MalformedCommandException extends RuntimeException {
    private final String commandId;

    public MalformedCommandException(String commandId, String message) {
      super(message);
      this.commandId = commandId;
    }

    public String commandId() {
      return commandId;
    }
  }
}
