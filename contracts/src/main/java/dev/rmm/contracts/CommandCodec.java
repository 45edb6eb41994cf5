package dev.rmm.contracts;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The wire format of commands sent over Kafka (topic {@code rmm.release-commands}, key = release
 * id): by the gateway and the orchestrator, and by a release-api instance that forwards an HTTP
 * request to the instance owning the release's partition ({@code release.create.v1} and {@code
 * repository_scope} and {@code workflow_scope} exist for that).
 *
 * <pre>{"command_id": "...", "release_id": "...",
 *  "actor": {"kind": "telegram", "id": "1001", "name": "Alice"}, "type": "release.approve.v1",
 *  "telegram_user_id": 1001, "seen_version": 7,
 *  "repository_scope": "...", "workflow_scope": "...", "correlation_id": "...", "traceparent": "...",
 *  "deadline_ms": 1}
 * </pre>
 *
 * <p>Like {@link EventCodec}: the type name picks the class from a registry built from {@link
 * ReleaseCommand#ALL}, and Jackson binds the command's own fields (snake_case) straight from the
 * top level, where they sit beside the envelope's. The envelope (id, type, scope, correlation,
 * trace, deadline) and the actor are read and written here. Golden files of every type ({@code
 * contracts/src/test/resources/golden-commands/}) pin the format.
 */
public final class CommandCodec {

  public static final String APPROVE = ReleaseCommand.Approve.TYPE;
  public static final String REJECT = ReleaseCommand.Reject.TYPE;
  public static final String REQUEST_ROLLBACK = ReleaseCommand.RequestRollback.TYPE;
  public static final String CANCEL = ReleaseCommand.CancelRelease.TYPE;
  public static final String REPORT_STEP = ReleaseCommand.ReportStep.TYPE;
  public static final String CREATE = ReleaseCommand.CreateRelease.TYPE;
  public static final String START_DISPATCH = ReleaseCommand.StartDispatch.TYPE;
  public static final String RECORD_DISPATCH = ReleaseCommand.RecordDispatch.TYPE;
  public static final String START_RUNBOOK = ReleaseCommand.StartRunbook.TYPE;
  public static final String RECORD_RUNBOOK_STEP = ReleaseCommand.RecordRunbookStep.TYPE;
  public static final String FINISH_RUNBOOK = ReleaseCommand.FinishRunbook.TYPE;
  public static final String SUPERSEDE = ReleaseCommand.SupersedeRelease.TYPE;
  public static final String RETRY_DISPATCH = ReleaseCommand.RetryDispatch.TYPE;
  public static final String FORCE_APPROVE = ReleaseCommand.ForceApprove.TYPE;
  public static final String CONFIRM_BREAK_GLASS = ReleaseCommand.ConfirmBreakGlass.TYPE;
  public static final String HOLD_DISPATCH = ReleaseCommand.HoldDispatch.TYPE;
  public static final String EXPIRE_BREAK_GLASS = ReleaseCommand.ExpireBreakGlass.TYPE;

  /** The events' mapper (same naming, same dates) with the commands' actor shape. */
  private static final ObjectMapper MAPPER =
      EventCodec.mapper().copy().registerModule(CommandActorJson.module());

  private static final Map<String, Class<? extends ReleaseCommand>> TYPES = typeRegistry();

  private static final Map<Class<? extends ReleaseCommand>, List<RequiredField>> REQUIRED =
      RequiredField.of(ReleaseCommand.ALL);

  private CommandCodec() {}

  /**
   * A decoded command.
   *
   * @param repositoryScope when set, the command may only act on releases of this repository (the
   *     token of the forwarded HTTP request belonged to it); null means no restriction
   * @param deadline when the sender stops waiting for the answer, or null: a command read after it
   *     is answered "expired" and not decided (the sender has already told its user it failed)
   * @param workflowScope with a {@code repositoryScope}: the GitHub OIDC {@code job_workflow_ref}
   *     of the pipeline that asked, or null when it proved none (a repository token), so a service
   *     whose policy lists workflows refuses it; meaningless without a repository scope
   */
  public record Envelope(
      String commandId,
      ReleaseCommand command,
      String correlationId,
      String traceparent,
      String repositoryScope,
      Instant deadline,
      String workflowScope) {

    /** A command without a workflow scope (from the gateway, the orchestrator or an admin). */
    public Envelope(
        String commandId,
        ReleaseCommand command,
        String correlationId,
        String traceparent,
        String repositoryScope,
        Instant deadline) {
      this(commandId, command, correlationId, traceparent, repositoryScope, deadline, null);
    }
  }

  /** Every known command type name with its class. */
  public static Map<String, Class<? extends ReleaseCommand>> types() {
    return TYPES;
  }

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
   * Encodes a command: the envelope's id, the release and the actor first, then the type and the
   * command's own fields in the order of its record, then the envelope's optional fields.
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
    return encode(commandId, command, correlationId, traceparent, repositoryScope, deadline, null);
  }

  /**
   * Encodes a command forwarded for a pipeline: with its repository and, when it proved one, the
   * workflow ({@link Envelope#workflowScope()}).
   */
  public static byte[] encode(
      String commandId,
      ReleaseCommand command,
      String correlationId,
      String traceparent,
      String repositoryScope,
      Instant deadline,
      String workflowScope) {
    ObjectNode fields = MAPPER.valueToTree(command);
    ObjectNode n = MAPPER.createObjectNode();
    n.put("command_id", commandId);
    n.put("release_id", command.releaseId());
    n.set("actor", fields.remove("actor"));
    fields.remove("release_id");
    n.put("type", command.type());
    n.setAll(fields);
    putIfPresent(n, "repository_scope", repositoryScope);
    putIfPresent(n, "workflow_scope", workflowScope);
    putIfPresent(n, "correlation_id", correlationId);
    putIfPresent(n, "traceparent", traceparent);
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
      RequiredField.text("release_id").check(n);
      CommandActorJson.read(n.path("actor")); // the envelope's fields are checked before the type
      String type = RequiredField.text("type").check(n).asText();
      Class<? extends ReleaseCommand> cls = TYPES.get(type);
      if (cls == null) {
        throw new IllegalArgumentException("unknown command type '" + type + "'");
      }
      for (RequiredField f : REQUIRED.get(cls)) {
        f.check(n);
      }
      return new Envelope(
          id,
          MAPPER.treeToValue(n, cls),
          n.path("correlation_id").asText(null),
          n.path("traceparent").asText(null),
          n.path("repository_scope").asText(null),
          deadline(n),
          n.path("workflow_scope").asText(null));
    } catch (IllegalArgumentException | NullPointerException | IOException e) {
      throw new MalformedCommandException(id, reason(e));
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

  /**
   * What a sender reads in the answer: the message of the rule a constructor or creator broke (an
   * unknown status, a quorum larger than the approvers), else Jackson's message with the wire name
   * of the field in place of its Java reference chain.
   */
  private static String reason(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException && t.getMessage() != null) {
        return t.getMessage();
      }
    }
    if (!(e instanceof JsonMappingException m)) {
      return e.getMessage();
    }
    List<String> path = new ArrayList<>();
    for (JsonMappingException.Reference r : m.getPath()) {
      path.add(r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex()));
    }
    return path.isEmpty()
        ? m.getOriginalMessage()
        : m.getOriginalMessage() + " (field '" + String.join(".", path) + "')";
  }

  private static void putIfPresent(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  private static Map<String, Class<? extends ReleaseCommand>> typeRegistry() {
    return TypeRegistry.of(ReleaseCommand.ALL);
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
