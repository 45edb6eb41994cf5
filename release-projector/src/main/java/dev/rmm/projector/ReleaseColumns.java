package dev.rmm.projector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.projector.ColumnArrays.Type;
import io.vertx.mutiny.sqlclient.Row;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The columns of {@code releases}, listed once: each column's name, its Postgres type, the value a
 * {@link ReleaseRow} writes to it and how a row read back from Postgres takes it. The column list
 * of the SQL, the types of the arrays ({@link ColumnArrays}), the values of a write and the reading
 * of a row all come from {@link #ALL}, so a column cannot be added to one of them and forgotten in
 * another (they were four parallel lists kept in step by hand).
 */
final class ReleaseColumns {

  /**
   * One column.
   *
   * @param value the row's value for a write: JSON columns as text, strings made fit for Postgres
   *     by {@link PgText}
   * @param read sets the row's field from a row read back; a column derived from another one
   *     ({@code outcome}) reads nothing
   */
  record Column(
      String name,
      Type type,
      Function<ReleaseRow, Object> value,
      BiConsumer<ReleaseRow, Row> read) {}

  static final List<Column> ALL =
      List.of(
          text("release_id", r -> PgText.id(r.releaseId), (r, v) -> r.releaseId = v),
          text("service_name", r -> PgText.text(r.service), (r, v) -> r.service = v),
          text("release_tag", r -> PgText.text(r.tag), (r, v) -> r.tag = v),
          text("rollback_to_tag", r -> PgText.text(r.rollbackToTag), (r, v) -> r.rollbackToTag = v),
          text("status", r -> r.status.wire(), (r, v) -> r.status = ReleaseStatus.fromWire(v)),
          // derived from the status: written for the lists' index, never read back
          new Column("outcome", Type.TEXT, r -> r.status.outcome().wire(), (r, row) -> {}),
          text("initiated_by", r -> PgText.text(r.initiatedBy), (r, v) -> r.initiatedBy = v),
          text("github_run_id", r -> PgText.text(r.githubRunId), (r, v) -> r.githubRunId = v),
          text(
              "github_action_link",
              r -> PgText.text(r.githubActionLink),
              (r, v) -> r.githubActionLink = v),
          text("github_ref", r -> PgText.text(r.githubRef), (r, v) -> r.githubRef = v),
          text("repository", r -> PgText.text(r.repository), (r, v) -> r.repository = v),
          text("commit_sha", r -> PgText.text(r.commitSha), (r, v) -> r.commitSha = v),
          array("approved_list", r -> PgText.json(r.approvedList), (r, v) -> r.approvedList = v),
          array(
              "required_approvers",
              ReleaseRow::requiredApproversJson,
              (r, v) -> r.requiredApprovers = v),
          new Column(
              "quorum", Type.INT4, r -> r.quorum, (r, row) -> r.quorum = row.getInteger("quorum")),
          array("admins", ReleaseRow::adminsJson, (r, v) -> r.admins = v),
          new Column(
              "initiator_may_approve",
              Type.BOOL,
              r -> r.initiatorMayApprove,
              (r, row) -> r.initiatorMayApprove = row.getBoolean("initiator_may_approve")),
          text(
              "rejection_reason",
              r -> PgText.text(r.rejectionReason),
              (r, v) -> r.rejectionReason = v),
          new Column(
              "version", Type.INT8, r -> r.version, (r, row) -> r.version = row.getLong("version")),
          time("created_at", r -> r.createdAt, (r, v) -> r.createdAt = v),
          time("started_at", r -> r.startedAt, (r, v) -> r.startedAt = v),
          time("completed_at", r -> r.completedAt, (r, v) -> r.completedAt = v),
          time("deployed_at", r -> r.deployedAt, (r, v) -> r.deployedAt = v),
          time("updated_at", r -> r.updatedAt, (r, v) -> r.updatedAt = v),
          object("dispatch", r -> PgText.json(r.dispatch), (r, v) -> r.dispatch = v),
          object("runbook", r -> PgText.json(r.runbook), (r, v) -> r.runbook = v),
          time("manual_testing_at", r -> r.manualTestingAt, (r, v) -> r.manualTestingAt = v),
          time("decided_at", r -> r.decidedAt, (r, v) -> r.decidedAt = v),
          time("deploying_at", r -> r.deployingAt, (r, v) -> r.deployingAt = v),
          time("rollback_started_at", r -> r.rollbackStartedAt, (r, v) -> r.rollbackStartedAt = v),
          time("restored_at", r -> r.restoredAt, (r, v) -> r.restoredAt = v),
          text("head_hash", r -> r.headHash, (r, v) -> r.headHash = v),
          new Column(
              "head_chained",
              Type.BOOL,
              r -> r.headChained,
              (r, row) -> r.headChained = row.getBoolean("head_chained")),
          text(
              "superseded_by_id",
              r -> PgText.text(r.supersededById),
              (r, v) -> r.supersededById = v),
          text(
              "superseded_by_tag",
              r -> PgText.text(r.supersededByTag),
              (r, v) -> r.supersededByTag = v),
          object(
              "approvals_voided",
              r -> PgText.json(r.approvalsVoided),
              (r, v) -> r.approvalsVoided = v),
          object("break_glass", r -> PgText.json(r.breakGlass), (r, v) -> r.breakGlass = v),
          object("dispatch_held", r -> PgText.json(r.dispatchHeld), (r, v) -> r.dispatchHeld = v),
          new Column(
              "role_quorum",
              Type.JSONB,
              r -> PgText.json(r.roleQuorum),
              (r, row) -> {
                Object v = row.getValue("role_quorum");
                r.roleQuorum = v == null ? null : (ArrayNode) json(v);
              }),
          text(
              "initiator_login",
              r -> PgText.text(r.initiatorLogin),
              (r, v) -> r.initiatorLogin = v));

  /** The column names in order, for an INSERT's or a COPY's column list. */
  static final String NAMES = ALL.stream().map(Column::name).collect(Collectors.joining(", "));

  /** The Postgres types in the order of {@link #NAMES}. */
  static final List<Type> TYPES = ALL.stream().map(Column::type).toList();

  private ReleaseColumns() {}

  /** The row's values in the order of {@link #NAMES}. */
  static List<Object> values(ReleaseRow row) {
    List<Object> out = new ArrayList<>(ALL.size());
    for (Column c : ALL) {
      out.add(c.value().apply(row));
    }
    return out;
  }

  /** The row as Postgres holds it ({@code SELECT *} of {@code releases}). */
  static ReleaseRow read(Row r) {
    ReleaseRow row = new ReleaseRow();
    for (Column c : ALL) {
      c.read().accept(row, r);
    }
    return row;
  }

  private static Column text(
      String name, Function<ReleaseRow, Object> value, BiConsumer<ReleaseRow, String> set) {
    return new Column(name, Type.TEXT, value, (r, row) -> set.accept(r, row.getString(name)));
  }

  private static Column time(
      String name, Function<ReleaseRow, Object> value, BiConsumer<ReleaseRow, Instant> set) {
    return new Column(
        name,
        Type.TIMESTAMPTZ,
        value,
        (r, row) -> {
          OffsetDateTime t = row.getOffsetDateTime(name);
          set.accept(r, t == null ? null : t.toInstant());
        });
  }

  /** A JSON array column; never null in a row (an empty array). */
  private static Column array(
      String name, Function<ReleaseRow, Object> value, BiConsumer<ReleaseRow, ArrayNode> set) {
    return new Column(
        name, Type.JSONB, value, (r, row) -> set.accept(r, (ArrayNode) json(row.getValue(name))));
  }

  /** A JSON object column; null when the release has none. */
  private static Column object(
      String name, Function<ReleaseRow, Object> value, BiConsumer<ReleaseRow, ObjectNode> set) {
    return new Column(
        name,
        Type.JSONB,
        value,
        (r, row) -> {
          Object v = row.getValue(name);
          set.accept(r, v == null ? null : (ObjectNode) json(v));
        });
  }

  private static JsonNode json(Object json) {
    try {
      return EventCodec.mapper().readTree(String.valueOf(json));
    } catch (IOException e) {
      throw new IllegalStateException("unreadable JSON column", e);
    }
  }
}
