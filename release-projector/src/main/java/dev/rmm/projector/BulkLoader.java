package dev.rmm.projector;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Loads an empty read-model schema from the log as fast as Postgres takes it: events go in with
 * COPY as they are read, releases (and their approvals) are folded in memory (with the live
 * projection's own {@link Projection#fold}) and copied once at the end, with the positions, in one
 * transaction.
 */
final class BulkLoader {

  private static final Logger LOG = Logger.getLogger(BulkLoader.class);
  private static final int FLUSH_CHARS = 8 * 1024 * 1024;

  private final DataSource jdbc;
  private final String schema;
  private final String topic;

  BulkLoader(DataSource jdbc, String schema, String topic) {
    this.jdbc = jdbc;
    this.schema = schema;
    this.topic = topic;
  }

  /** Reads every partition from its current position to its end now; returns events loaded. */
  long load(KafkaConsumer<String, byte[]> c, List<TopicPartition> parts) {
    Map<TopicPartition, Long> end = c.endOffsets(parts);
    Map<String, ReleaseRow> rows = new HashMap<>();
    Map<Integer, Long> next = new HashMap<>();
    StringBuilder events = new StringBuilder();
    StringBuilder approvals = new StringBuilder();
    long n = 0;
    try (Connection conn = jdbc.getConnection()) {
      conn.setAutoCommit(false);
      CopyManager copy = conn.unwrap(PGConnection.class).getCopyAPI();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          next.put(r.partition(), r.offset() + 1);
          EventEnvelope e;
          try {
            e = EventCodec.decode(r.value());
          } catch (EventCodec.MalformedEventException ex) {
            LOG.errorf(
                "Skipping unreadable record %s-%d@%d: %s",
                r.topic(), r.partition(), r.offset(), ex.getMessage());
            continue;
          }
          if (!Projection.fold(rows, e)) {
            continue;
          }
          n++;
          eventLine(events, e, r);
          if (e.data() instanceof ReleaseEvent.ApprovalGranted g) {
            line(
                approvals,
                e.releaseId(),
                g.approverId(),
                g.approverName(),
                e.occurredAt(),
                e.sequence());
          }
        }
        if (events.length() > FLUSH_CHARS) {
          copyEvents(copy, events);
        }
      }
      copyEvents(copy, events);
      StringBuilder releases = new StringBuilder();
      for (ReleaseRow r : rows.values()) {
        line(
            releases,
            r.releaseId,
            r.service,
            r.tag,
            r.rollbackToTag,
            r.status.wire(),
            r.status.outcome().wire(),
            r.initiatedBy,
            r.githubRunId,
            r.githubActionLink,
            r.githubRef,
            r.repository,
            r.commitSha,
            r.approvedList.toString(),
            r.requiredApprovers.toString(),
            r.quorum,
            r.admins.toString(),
            r.initiatorMayApprove,
            r.rejectionReason,
            r.version,
            r.createdAt,
            r.startedAt,
            r.completedAt,
            r.deployedAt,
            r.updatedAt);
      }
      copy(
          copy,
          "releases (release_id, service_name, release_tag, rollback_to_tag, status, outcome,"
              + " initiated_by, github_run_id, github_action_link, github_ref, repository, commit_sha,"
              + " approved_list, required_approvers, quorum, admins, initiator_may_approve,"
              + " rejection_reason, version, created_at, started_at, completed_at, deployed_at,"
              + " updated_at)",
          releases);
      // after the releases they refer to
      copy(
          copy,
          "approvals (release_id, approver_id, approver_name, approved_at, sequence)",
          approvals);
      StringBuilder positions = new StringBuilder();
      next.forEach((p, o) -> line(positions, topic, p, o));
      copy(copy, "projection_positions (topic, partition, next_offset)", positions);
      conn.commit();
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("bulk load into " + schema + " failed: " + e.getMessage(), e);
    }
    return n;
  }

  private void copyEvents(CopyManager copy, StringBuilder events) throws SQLException, IOException {
    copy(
        copy,
        "release_events (release_id, sequence, event_id, type, occurred_at, actor_kind,"
            + " actor_id, actor_name, correlation_id, causation_id, traceparent, data,"
            + " kafka_partition, kafka_offset)",
        events);
  }

  private void copy(CopyManager copy, String target, StringBuilder csv)
      throws SQLException, IOException {
    if (csv.length() > 0) {
      copy.copyIn(
          "COPY " + schema + "." + target + " FROM STDIN WITH (FORMAT csv)",
          new StringReader(csv.toString()));
      csv.setLength(0);
    }
  }

  private static void eventLine(
      StringBuilder out, EventEnvelope e, ConsumerRecord<String, byte[]> r) {
    line(
        out,
        e.releaseId(),
        e.sequence(),
        e.id(),
        e.type(),
        e.occurredAt(),
        e.actor().kind().name().toLowerCase(Locale.ROOT),
        e.actor().id(),
        e.actor().name(),
        e.correlationId(),
        e.causationId(),
        e.traceparent(),
        Projection.data(e),
        r.partition(),
        r.offset());
  }

  /** One CSV line: null is an unquoted empty field (NULL), everything else is quoted. */
  private static void line(StringBuilder out, Object... values) {
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      Object v = values[i];
      if (v != null) {
        String s = v instanceof Instant t ? Projection.micros(t).toString() : String.valueOf(v);
        out.append('"').append(s.replace("\"", "\"\"")).append('"');
      }
    }
    out.append('\n');
  }
}
