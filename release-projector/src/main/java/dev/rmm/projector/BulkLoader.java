package dev.rmm.projector;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Loads an empty read-model schema from the log as fast as Postgres takes it: events go in with
 * COPY as they are read, releases (and their approvals) are folded in memory (with the live
 * projection's own {@link Projection#fold}, so void events are left out and every release gets its
 * exact chain head) and copied once at the end, with the positions, in one transaction. The values
 * are the live projection's own ({@link Projection#eventValues}, {@link ReleaseRow#values}), so a
 * rebuild writes exactly what the live projection writes, {@link PgText}'s replacements included.
 * The delivery metrics are summed from the copied releases by the view the live projection keeps
 * them with ({@code release_metric_parts}, V7).
 */
final class BulkLoader {

  private static final Logger LOG = Logger.getLogger(BulkLoader.class);
  private static final int FLUSH_CHARS = 8 * 1024 * 1024;
  private static final int DECODERS = Runtime.getRuntime().availableProcessors();

  /** Where the event id is in {@link Projection#eventValues}. */
  private static final int EVENT_ID = 2;

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
    // what the tables' unique keys hold so far: a duplicate is left out, as the live projection
    // leaves it out, instead of failing the whole COPY
    Set<String> eventIds = new HashSet<>();
    Set<String> approvers = new HashSet<>();
    long n = 0;
    try (Connection conn = jdbc.getConnection()) {
      conn.setAutoCommit(false);
      CopyManager copy = conn.unwrap(PGConnection.class).getCopyAPI();
      withoutTimelineKeys(conn);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        for (Projection.Prepared p : decodeInParallel(c.poll(Duration.ofMillis(200)))) {
          next.put(p.partition(), p.offset() + 1);
          if (p.decoded() == null || !Projection.fold(rows, p.decoded())) {
            continue; // unreadable (logged by decode) or void
          }
          n++;
          EventEnvelope e = p.decoded().envelope();
          List<Object> event = p.eventRow();
          if (eventIds.add((String) event.get(EVENT_ID))) {
            line(events, event);
          } else {
            LOG.warnf(
                "Event %s at %d@%d (partition@offset) has the id of an earlier event; its release"
                    + " row is updated, its timeline entry left out (as the live projection does)",
                e.id(), p.partition(), p.offset());
          }
          if (e.data() instanceof ReleaseEvent.ApprovalGranted g
              && approvers.add(PgText.id(e.releaseId()) + '\n' + g.approverId())) {
            line(approvals, Projection.approvalValues(e, g));
          }
        }
        if (events.length() > FLUSH_CHARS) {
          copyEvents(copy, events);
        }
      }
      copyEvents(copy, events);
      withTimelineKeys(conn);
      StringBuilder releases = new StringBuilder();
      for (ReleaseRow r : rows.values()) {
        line(releases, r.values());
      }
      copy(copy, "releases (" + ReleaseRow.COLUMNS + ")", releases);
      sumDeliveryMetrics(conn);
      // after the releases they refer to
      copy(copy, "approvals (" + Projection.APPROVAL_COLUMNS + ")", approvals);
      StringBuilder positions = new StringBuilder();
      next.forEach((p, o) -> line(positions, topic, p, o));
      copy(copy, "projection_positions (topic, partition, next_offset)", positions);
      conn.commit();
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("bulk load into " + schema + " failed: " + e.getMessage(), e);
    }
    return n;
  }

  /**
   * Decodes a poll's records (and makes their timeline rows' values) on every core: the JVM's
   * largest cost in a rebuild, and each record's independent of the others. The result keeps the
   * poll's order, in which the records are then folded one by one.
   */
  private static List<Projection.Prepared> decodeInParallel(
      ConsumerRecords<String, byte[]> polled) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(polled.count());
    polled.forEach(records::add);
    int chunks = Math.min(DECODERS, Math.max(1, records.size() / 256));
    if (chunks == 1) {
      return Projection.decode(records).records();
    }
    List<List<ConsumerRecord<String, byte[]>>> parts = new ArrayList<>(chunks);
    for (int i = 0; i < chunks; i++) {
      parts.add(records.subList(i * records.size() / chunks, (i + 1) * records.size() / chunks));
    }
    List<Projection.Prepared> out = new ArrayList<>(records.size());
    parts.parallelStream()
        .map(part -> Projection.decode(part).records())
        .toList()
        .forEach(out::addAll);
    return out;
  }

  /**
   * Drops the timeline's two unique keys before its rows are copied: a btree entry inserted row by
   * row costs far more than the index built once, sorted, at the end ({@link #withTimelineKeys}).
   * Nothing needs them meanwhile: the schema is new and seen by no one, a duplicate event id is
   * left out above, and the chain rule applies each sequence of a release once.
   */
  private void withoutTimelineKeys(Connection conn) throws SQLException {
    try (var st = conn.createStatement()) {
      st.executeUpdate(
          "ALTER TABLE "
              + schema
              + ".release_events DROP CONSTRAINT release_events_pkey,"
              + " DROP CONSTRAINT release_events_event_id_key");
    }
  }

  /** The timeline's keys back, exactly as V1 creates them, built once over the copied rows. */
  private void withTimelineKeys(Connection conn) throws SQLException {
    try (var st = conn.createStatement()) {
      st.executeUpdate(
          "ALTER TABLE "
              + schema
              + ".release_events ADD CONSTRAINT release_events_pkey PRIMARY KEY (release_id,"
              + " sequence), ADD CONSTRAINT release_events_event_id_key UNIQUE (event_id)");
    }
  }

  /** The delivery metrics of every release copied, summed as the live projection keeps them. */
  private void sumDeliveryMetrics(Connection conn) throws SQLException {
    try (var st = conn.createStatement()) {
      st.executeUpdate(
          "INSERT INTO "
              + schema
              + ".delivery_metrics (service_name, metric, label, value) SELECT service_name,"
              + " metric, label, sum(value)::bigint FROM "
              + schema
              + ".release_metric_parts GROUP BY 1, 2, 3 HAVING sum(value) <> 0");
    }
  }

  private void copyEvents(CopyManager copy, StringBuilder events) throws SQLException, IOException {
    copy(copy, "release_events (" + Projection.EVENT_COLUMNS + ")", events);
  }

  private void copy(CopyManager copy, String target, StringBuilder data)
      throws SQLException, IOException {
    copyText(copy, schema + "." + target, data);
  }

  /**
   * COPYs {@code data} (COPY's text format) into {@code target} and empties it. The text is encoded
   * to UTF-8 here, whole: the driver's {@code copyIn(String, Reader)} encodes each 64K-character
   * buffer on its own, so a character outside the BMP whose surrogate pair straddled a buffer's end
   * became two '?' in the rebuild while the live projection stored it whole (found by a rebuild
   * that reported 2 timeline differences for a hostile-text event, intermittently: only when such a
   * character fell on the boundary; docs/reliability.md).
   */
  static void copyText(CopyManager copy, String target, StringBuilder data)
      throws SQLException, IOException {
    if (data.length() > 0) {
      copy.copyIn(
          "COPY " + target + " FROM STDIN",
          new ByteArrayInputStream(data.toString().getBytes(StandardCharsets.UTF_8)));
      data.setLength(0);
    }
  }

  private static void line(StringBuilder out, Object... values) {
    line(out, java.util.Arrays.asList(values));
  }

  /**
   * One line in COPY's text format: tab-separated, null as {@code \N}, and backslash, tab, newline
   * and carriage return escaped with a backslash. Unlike CSV, a value can never span lines, so no
   * value (a tag holding a line {@code \.}, say) can be taken for COPY's end-of-data marker. The
   * values come from {@link PgText} already, so none holds a NUL.
   */
  private static void line(StringBuilder out, List<Object> values) {
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append('\t');
      }
      Object v = values.get(i);
      if (v == null) {
        out.append("\\N");
      } else {
        String s = v instanceof Instant t ? Projection.micros(t).toString() : String.valueOf(v);
        escape(out, s);
      }
    }
    out.append('\n');
  }

  private static void escape(StringBuilder out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
  }
}
