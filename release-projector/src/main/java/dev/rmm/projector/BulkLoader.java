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
 * projection's own {@link Projection#fold}, so void events are left out and every release gets its
 * exact chain head) and copied once at the end, with the positions, in one transaction.
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
          if (!Projection.fold(
              rows, new Projection.Decoded(e, r.value(), r.partition(), r.offset()))) {
            continue;
          }
          n++;
          line(events, Projection.eventValues(e, r.partition(), r.offset()));
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
        line(releases, r.values());
      }
      copy(copy, "releases (" + ReleaseRow.COLUMNS + ")", releases);
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
    copy(copy, "release_events (" + Projection.EVENT_COLUMNS + ")", events);
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

  /** One CSV line: null is an unquoted empty field (NULL), everything else is quoted. */
  private static void line(StringBuilder out, Object... values) {
    line(out, java.util.Arrays.asList(values));
  }

  private static void line(StringBuilder out, List<Object> values) {
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      Object v = values.get(i);
      if (v != null) {
        String s = v instanceof Instant t ? Projection.micros(t).toString() : String.valueOf(v);
        out.append('"').append(s.replace("\"", "\"\"")).append('"');
      }
    }
    out.append('\n');
  }
}
