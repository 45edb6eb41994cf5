package dev.rmm.projector;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.log.ChainRule;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Applies a batch of records from the release log to the read model in one schema, in ONE Postgres
 * transaction together with the new log positions. Idempotent by position: records below the stored
 * position of their partition are skipped, so a redelivered batch (after a crash or a rebalance)
 * changes nothing. Only the events that count are applied: each release's chain head is kept in its
 * row and every event is judged against it with {@link ChainRule}, as every reader of the log does;
 * void events stay in the log and leave no trace here. The same code builds the live schema and a
 * rebuild.
 *
 * <p>A batch is folded in memory release by release, so N events of one release make one row write,
 * and written in a few multi-row statements ({@link ColumnArrays}: one array per column, expanded
 * by {@code unnest}): the release rows, the changes of their services' delivery metrics (computed
 * here from the rows before and after the batch, {@link MetricParts}), the timeline rows, the
 * approvals and the positions.
 */
public final class Projection {

  private static final Logger LOG = Logger.getLogger(Projection.class);
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static final ColumnArrays RELEASES =
      new ColumnArrays(ReleaseRow.COLUMNS, ReleaseRow.TYPES.toArray(ColumnArrays.Type[]::new));
  private static final ColumnArrays EVENTS =
      new ColumnArrays(
          "release_id, sequence, event_id, type, occurred_at, actor_kind, actor_id, actor_name,"
              + " correlation_id, causation_id, traceparent, data, kafka_partition, kafka_offset,"
              + " on_behalf_of_kind, on_behalf_of_id, on_behalf_of_name",
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.INT8,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TIMESTAMPTZ,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.JSONB,
          ColumnArrays.Type.INT4,
          ColumnArrays.Type.INT8,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT);
  private static final ColumnArrays APPROVALS =
      new ColumnArrays(
          "release_id, approver_id, approver_name, approved_at, sequence",
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.INT8,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TIMESTAMPTZ,
          ColumnArrays.Type.INT8);
  private static final ColumnArrays METRICS =
      new ColumnArrays(
          "service_name, metric, label, value",
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.INT8);
  private static final ColumnArrays METRIC_KEYS =
      new ColumnArrays(
          "service_name, metric, label",
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.TEXT);
  private static final ColumnArrays POSITIONS =
      new ColumnArrays(
          "topic, partition, next_offset",
          ColumnArrays.Type.TEXT,
          ColumnArrays.Type.INT4,
          ColumnArrays.Type.INT8);

  /** The columns of {@code release_events}, in the order of {@link #eventValues}. */
  static final String EVENT_COLUMNS = EVENTS.columns();

  /** Where {@link #eventValues} puts the event's id. */
  private static final int EVENT_ID = 2;

  /** The columns of {@code approvals}, in the order of {@link #approvalValues}. */
  static final String APPROVAL_COLUMNS = APPROVALS.columns();

  private final Pool pg;
  private final String schema;
  private final String topic;
  private final String upsertReleases;
  private final String addMetrics;
  private final String dropEmptyMetrics;
  private final String insertEvents;
  private final String insertApprovals;
  private final String upsertPositions;

  /** The rows the last batches committed, so the next batch need not read them back. */
  private final ReleaseRowCache cache = new ReleaseRowCache();

  public Projection(Pool pg, String schema, String topic) {
    if (!IDENTIFIER.matcher(schema).matches()) {
      throw new IllegalArgumentException("bad schema name " + schema);
    }
    this.pg = pg;
    this.schema = schema;
    this.topic = topic;
    this.upsertReleases = insert(schema, "releases", RELEASES, RELEASE_UPDATE);
    // in key order, so that two projections adding to the same service lock its rows in one order
    this.addMetrics =
        insert(
            schema,
            "delivery_metrics",
            METRICS,
            " ORDER BY 1, 2, 3 ON CONFLICT (md5(service_name), metric, label) DO UPDATE SET value ="
                + " delivery_metrics.value + EXCLUDED.value");
    // by key, through the table's unique index: a sum can only reach zero where the batch took
    // from it (a scan of the whole table per batch cost more than the rest of the batch)
    this.dropEmptyMetrics =
        "DELETE FROM "
            + schema
            + ".delivery_metrics m USING ("
            + METRIC_KEYS.select(1)
            + ") k WHERE md5(m.service_name) = md5(k.service_name) AND m.service_name ="
            + " k.service_name AND m.metric = k.metric AND m.label = k.label AND m.value = 0";
    this.insertEvents = insertNewEvents(schema);
    this.insertApprovals = insert(schema, "approvals", APPROVALS, " ON CONFLICT DO NOTHING");
    this.upsertPositions =
        insert(
            schema,
            "projection_positions",
            POSITIONS,
            " ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset");
  }

  public String schema() {
    return schema;
  }

  /**
   * Forgets the release rows kept between batches: the next batch reads the rows it needs from
   * Postgres. Called when the rows may have changed under this projection (a schema swapped in,
   * partitions assigned again). Only between batches.
   */
  public void forget() {
    cache.clear();
  }

  /** Next offset to read per partition, as stored with the rows. */
  public Map<Integer, Long> positions() {
    Map<Integer, Long> out = new HashMap<>();
    pg.preparedQuery(
            "SELECT partition, next_offset FROM "
                + schema
                + ".projection_positions WHERE topic = $1")
        .execute(Tuple.of(topic))
        .await()
        .indefinitely()
        .forEach(r -> out.put(r.getInteger("partition"), r.getLong("next_offset")));
    return out;
  }

  /**
   * Applies the records; returns how many events were applied (void events and duplicates
   * excluded).
   */
  public int apply(List<ConsumerRecord<String, byte[]>> records) {
    return apply(decode(records));
  }

  /**
   * Reads a poll's records into what {@link #apply(Batch)} writes: each event decoded once, and its
   * timeline row's values made, before any connection is taken: it needs nothing from Postgres, so
   * the transaction is open only while it writes, and the rebuild runs it on every core ({@link
   * BulkLoader}). Unreadable records are logged here and only move the positions.
   */
  public static Batch decode(List<ConsumerRecord<String, byte[]>> records) {
    List<Prepared> out = new ArrayList<>(records.size());
    for (ConsumerRecord<String, byte[]> r : records) {
      Decoded d = null;
      List<Object> eventRow = null;
      try {
        EventEnvelope e = EventCodec.decode(r.value());
        d = new Decoded(e, r.value(), r.partition(), r.offset());
        eventRow = eventValues(e, r.partition(), r.offset());
      } catch (EventCodec.MalformedEventException e) {
        LOG.errorf(
            "Skipping unreadable record %s-%d@%d: %s",
            r.topic(), r.partition(), r.offset(), e.getMessage());
      }
      out.add(new Prepared(r.partition(), r.offset(), d, eventRow));
    }
    return new Batch(out);
  }

  /**
   * Applies a decoded batch in one transaction; returns how many events were applied (void events
   * and duplicates excluded).
   */
  public int apply(Batch batch) {
    if (batch.records().isEmpty()) {
      return 0;
    }
    // blocking calls from the projector's own thread, never from an event loop
    SqlConnection conn = pg.getConnection().await().indefinitely();
    try {
      Transaction tx = conn.begin().await().indefinitely();
      try {
        Written written = applyIn(conn, batch);
        tx.commit().await().indefinitely();
        cache.committed(written.rows(), written.positions());
        return written.applied();
      } catch (RuntimeException e) {
        // the batch's rows were changed in memory and not stored (or it is unknown whether the
        // commit went through): the next batch reads them back
        cache.clear();
        tx.rollback().onFailure().recoverWithNull().await().indefinitely();
        throw e;
      }
    } finally {
      conn.close().await().indefinitely();
    }
  }

  /** What a batch wrote: how many events, every row it folded into, the positions after it. */
  private record Written(int applied, Map<String, ReleaseRow> rows, Map<Integer, Long> positions) {}

  private Written applyIn(SqlConnection conn, Batch batch) {
    Map<Integer, Long> stored = lockPositions(conn);
    cache.checkAgainst(stored, batch.partitions());
    Map<Integer, Long> next = new HashMap<>(stored);
    List<Decoded> fresh = new ArrayList<>();
    Map<Decoded, List<Object>> eventRows = new java.util.IdentityHashMap<>();
    for (Prepared p : batch.records()) {
      long from = next.getOrDefault(p.partition(), 0L);
      if (p.offset() < from) {
        continue; // already applied: position-based idempotency
      }
      next.put(p.partition(), p.offset() + 1);
      if (p.decoded() != null) {
        fresh.add(p.decoded());
        eventRows.put(p.decoded(), p.eventRow());
      }
    }
    // the batch folded in memory, release by release: N events of a release make one row write
    Map<String, ReleaseRow> rows = load(conn, fresh);
    // what each row added to the delivery metrics before the batch (rows created in it: nothing)
    Map<String, MetricParts> before = new HashMap<>();
    rows.forEach((key, row) -> before.put(key, MetricParts.of(row)));
    Map<String, ReleaseRow> changed = new LinkedHashMap<>();
    Writes writes = new Writes();
    List<List<Object>> events = new ArrayList<>();
    java.util.Set<String> eventIds = new java.util.HashSet<>();
    List<List<Object>> approvals = new ArrayList<>();
    int applied = 0;
    for (Decoded d : fresh) {
      if (!fold(rows, d)) {
        continue;
      }
      EventEnvelope e = d.envelope();
      String key = PgText.id(e.releaseId());
      changed.put(key, rows.get(key));
      applied++;
      if (e.data() instanceof ReleaseEvent.ApprovalGranted g) {
        approvals.add(approvalValues(e, g));
      }
      List<Object> eventRow = eventRows.get(d);
      // an id used twice in the batch keeps its first row, as in the log's order (the statement
      // leaves out ids already stored by earlier batches)
      if (eventIds.add((String) eventRow.get(EVENT_ID))) {
        events.add(eventRow);
      }
    }
    if (!changed.isEmpty()) {
      List<List<Object>> releases = new ArrayList<>(changed.size());
      changed.values().forEach(r -> releases.add(r.values()));
      writes.add(conn, upsertReleases, RELEASES.arrays(releases));
      addMetrics(writes, conn, metricChanges(changed, before));
    }
    if (!events.isEmpty()) {
      writes.add(conn, insertEvents, batch.timelineArrays(events));
    }
    if (!approvals.isEmpty()) {
      writes.add(conn, insertApprovals, APPROVALS.arrays(approvals));
    }
    List<List<Object>> positions = new ArrayList<>();
    next.forEach((p, o) -> positions.add(List.of(topic, p, o)));
    writes.add(conn, upsertPositions, POSITIONS.arrays(positions));
    writes.await();
    return new Written(applied, rows, next);
  }

  /**
   * How the batch moves its services' delivery metrics: for each row whose metric inputs it
   * changed, the row's parts as written in and its parts as stored before out; sums that do not
   * move are left out.
   */
  static Map<MetricParts.Key, Long> metricChanges(
      Map<String, ReleaseRow> changed, Map<String, MetricParts> before) {
    Map<MetricParts.Key, Long> sums = new HashMap<>();
    changed.forEach(
        (key, row) -> {
          MetricParts was = before.get(key);
          MetricParts now = MetricParts.of(row);
          if (now.equals(was)) {
            return; // an approval, a dispatch, a runbook step: the metrics do not move
          }
          if (was != null) {
            was.addTo(sums, -1);
          }
          now.addTo(sums, 1);
        });
    sums.values().removeIf(v -> v == 0);
    return sums;
  }

  /** Adds the changes to {@code delivery_metrics}; a sum that reaches zero leaves the table. */
  private void addMetrics(Writes writes, SqlConnection conn, Map<MetricParts.Key, Long> changes) {
    if (changes.isEmpty()) {
      return;
    }
    List<List<Object>> rows = new ArrayList<>(changes.size());
    List<List<Object>> lowered = new ArrayList<>();
    changes.forEach(
        (k, v) -> {
          rows.add(List.of(k.service(), k.metric(), k.label(), v));
          if (v < 0) {
            lowered.add(List.of(k.service(), k.metric(), k.label()));
          }
        });
    writes.add(conn, addMetrics, METRICS.arrays(rows));
    if (!lowered.isEmpty()) {
      writes.add(conn, dropEmptyMetrics, METRIC_KEYS.arrays(lowered));
    }
  }

  private static void execute(SqlConnection conn, String sql, Object... arrays) {
    conn.preparedQuery(sql).execute(Tuple.from(arrays)).await().indefinitely();
  }

  /**
   * The batch's writes, sent one after the other on its connection without waiting for each answer,
   * and awaited together: the connection keeps their order (Postgres runs them in it, in the
   * batch's transaction), and the projector's thread waits for the database once instead of once
   * per statement (each wait was a hand-off to the event loop and back: at a few events per batch,
   * more time in the kernel than in the statements).
   */
  private static final class Writes {
    private final List<CompletableFuture<RowSet<Row>>> sent = new ArrayList<>();

    void add(SqlConnection conn, String sql, Object... arrays) {
      // subscribed now, so queued on the connection in the order of the calls
      sent.add(
          conn.preparedQuery(sql)
              .execute(Tuple.from(arrays))
              .subscribeAsCompletionStage()
              .toCompletableFuture());
    }

    /** Waits for every write; the first failure is thrown (the transaction is then rolled back). */
    void await() {
      for (CompletableFuture<RowSet<Row>> f : sent) {
        try {
          f.join();
        } catch (CompletionException e) {
          throw e.getCause() instanceof RuntimeException r ? r : e;
        }
      }
    }
  }

  /**
   * Inserts a batch's timeline rows, leaving out an event whose id an earlier batch stored already
   * (a forged or replayed event reusing an id: {@code HostileTextTest}); the batch itself holds
   * each id once ({@link #applyIn}). Not {@code ON CONFLICT DO NOTHING}: its speculative insertion
   * checks both unique indexes before the insert and confirms every row after it, and a timeline
   * row cannot meet its release and sequence again (the chain rule applies each sequence of a
   * release once, and the positions apply each record once). Should another projection store the
   * same id at the same moment, the unique index fails this batch, which is then retried and leaves
   * it out.
   */
  private static String insertNewEvents(String schema) {
    return insert(schema, "release_events", EVENTS, "")
        + " WHERE NOT EXISTS (SELECT 1 FROM "
        + schema
        + ".release_events e WHERE e.event_id = t.event_id)";
  }

  /**
   * Applies one event to the rows of its release (creating the row on the first event) when it is
   * the next link of the release's chain ({@link ChainRule#follows} against the head kept in the
   * row, {@link ChainRule.Head#NONE} without a row), and moves the head to it. Returns false when
   * the event is skipped: void (it lost a race, follows a void event or links to another head), or
   * of a release that was never created. Shared by the live projection and the rebuild's bulk load,
   * so both fold events identically.
   */
  static boolean fold(Map<String, ReleaseRow> rows, Decoded d) {
    EventEnvelope e = d.envelope();
    // keyed as the row is stored, so the live projection (rows read back) and the rebuild (rows in
    // memory) find the same row for an id that PgText changes
    String key = PgText.id(e.releaseId());
    ReleaseRow row = rows.get(key);
    ChainRule.Head head = row == null ? ChainRule.Head.NONE : row.head();
    boolean follows;
    if (head == null) {
      // a row projected before heads were stored: its hash is unknown, so the sequence decides once
      head = new ChainRule.Head(row.version, null, false);
      follows = e.sequence() == row.version + 1;
      if (follows) {
        LOG.infof(
            "Release %s: the read model has no chain head for it yet (projected before heads were"
                + " stored); event %d at %d@%d (partition@offset) is accepted by sequence alone and"
                + " its hash is kept from now on. A rebuild gives exact heads.",
            e.releaseId(), e.sequence(), d.partition(), d.offset());
      }
    } else {
      follows = ChainRule.follows(head, e);
    }
    if (!follows) {
      LOG.infof(
          "Ignoring void event %s at %d@%d (partition@offset): %s",
          e.id(), d.partition(), d.offset(), ChainRule.whyVoid(head, e));
      return false;
    }
    if (e.data() instanceof ReleaseEvent.ReleaseCreated c) {
      row = ReleaseRow.created(e, c);
      rows.put(key, row);
    } else if (row == null) {
      LOG.errorf(
          "Release %s: event %s arrived before the release was created; skipped",
          e.releaseId(), e.id());
      return false;
    } else {
      row.apply(e);
    }
    row.headAt(head.then(e, d.stored()));
    return true;
  }

  private Map<Integer, Long> lockPositions(SqlConnection conn) {
    Map<Integer, Long> out = new HashMap<>();
    conn.preparedQuery(
            "SELECT partition, next_offset FROM "
                + schema
                + ".projection_positions WHERE topic = $1 FOR UPDATE")
        .execute(Tuple.of(topic))
        .await()
        .indefinitely()
        .forEach(r -> out.put(r.getInteger("partition"), r.getLong("next_offset")));
    return out;
  }

  /**
   * The rows of the batch's releases: those the last batches left in the cache, the others read
   * from Postgres (a release created in this batch has none yet).
   */
  private Map<String, ReleaseRow> load(SqlConnection conn, List<Decoded> events) {
    Map<String, ReleaseRow> rows = new HashMap<>();
    java.util.Set<String> missing = new java.util.LinkedHashSet<>();
    for (Decoded d : events) {
      String key = PgText.id(d.envelope().releaseId());
      if (!rows.containsKey(key) && !missing.contains(key)) {
        ReleaseRow cached = cache.get(key);
        if (cached != null) {
          rows.put(key, cached);
        } else {
          missing.add(key);
        }
      }
    }
    if (missing.isEmpty()) {
      return rows;
    }
    for (Row r :
        conn.preparedQuery("SELECT * FROM " + schema + ".releases WHERE release_id = ANY($1)")
            .execute(Tuple.of(missing.toArray(String[]::new)))
            .await()
            .indefinitely()) {
      ReleaseRow row = ReleaseColumns.read(r);
      rows.put(row.releaseId, row);
    }
    return rows;
  }

  /**
   * Every column but the key and the release's fixed facts is replaced (its commit too: a moved tag
   * changes it).
   */
  private static final String RELEASE_UPDATE =
      " ON CONFLICT (release_id) DO UPDATE SET rollback_to_tag ="
          + " EXCLUDED.rollback_to_tag, status = EXCLUDED.status, outcome = EXCLUDED.outcome,"
          + " approved_list = EXCLUDED.approved_list, rejection_reason ="
          + " EXCLUDED.rejection_reason, version = EXCLUDED.version, started_at ="
          + " EXCLUDED.started_at, completed_at = EXCLUDED.completed_at, deployed_at ="
          + " EXCLUDED.deployed_at, updated_at = EXCLUDED.updated_at, dispatch ="
          + " EXCLUDED.dispatch, runbook = EXCLUDED.runbook, manual_testing_at ="
          + " EXCLUDED.manual_testing_at, decided_at = EXCLUDED.decided_at, deploying_at ="
          + " EXCLUDED.deploying_at, rollback_started_at = EXCLUDED.rollback_started_at,"
          + " restored_at = EXCLUDED.restored_at, head_hash = EXCLUDED.head_hash,"
          + " head_chained = EXCLUDED.head_chained, superseded_by_id = EXCLUDED.superseded_by_id,"
          + " superseded_by_tag = EXCLUDED.superseded_by_tag, commit_sha = EXCLUDED.commit_sha,"
          + " approvals_voided = EXCLUDED.approvals_voided, break_glass = EXCLUDED.break_glass,"
          + " dispatch_held = EXCLUDED.dispatch_held, role_quorum = EXCLUDED.role_quorum";

  private static String insert(String schema, String table, ColumnArrays columns, String tail) {
    return "INSERT INTO "
        + schema
        + "."
        + table
        + " ("
        + columns.columns()
        + ") "
        + columns.select(1)
        + tail;
  }

  /**
   * One event's row in {@code release_events}, shared by the live projection and bulk load. An
   * action taken for somebody else (an admin token approving for a Telegram user) keeps the actor
   * as the one who acted and the person acted for in the {@code on_behalf_of_*} columns.
   */
  static List<Object> eventValues(EventEnvelope e, int partition, long offset) {
    Actor behalf = e.actor().onBehalfOf();
    return Arrays.asList(
        PgText.id(e.releaseId()),
        e.sequence(),
        PgText.id(e.id()),
        PgText.text(e.type()),
        e.occurredAt(),
        e.actor().kind().name().toLowerCase(java.util.Locale.ROOT),
        PgText.text(e.actor().id()),
        PgText.text(e.actor().name()),
        PgText.text(e.correlationId()),
        PgText.text(e.causationId()),
        PgText.text(e.traceparent()),
        PgText.jsonOf(e.data()),
        partition,
        offset,
        behalf == null ? null : behalf.kind().name().toLowerCase(java.util.Locale.ROOT),
        behalf == null ? null : PgText.text(behalf.id()),
        behalf == null ? null : PgText.text(behalf.name()));
  }

  /**
   * One approval's row in {@code approvals}, in the order of {@link #APPROVAL_COLUMNS}, shared by
   * the live projection and bulk load.
   */
  static List<Object> approvalValues(EventEnvelope e, ReleaseEvent.ApprovalGranted g) {
    return Arrays.asList(
        PgText.id(e.releaseId()),
        g.approverId(),
        PgText.text(g.approverName()),
        e.occurredAt(),
        e.sequence());
  }

  static OffsetDateTime utc(Instant t) {
    return t == null ? null : micros(t).atOffset(ZoneOffset.UTC);
  }

  /** The earliest instant the read model stores: year 1. */
  static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  /** The latest instant the read model stores: the end of year 9999. */
  static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

  /**
   * Postgres keeps microseconds; events written before the writer truncated its clock may carry
   * nanoseconds. Both the live projection and the bulk load cut them the same way. An instant
   * outside years 1 to 9999 (a forged or broken clock: Java's range is far wider than Postgres',
   * and beyond year 9999 ISO 8601 text needs a sign Postgres does not read) is kept as the nearest
   * of those bounds; the log keeps the exact value.
   */
  static Instant micros(Instant t) {
    Instant inRange = t.isBefore(EARLIEST) ? EARLIEST : t.isAfter(LATEST) ? LATEST : t;
    return inRange.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  /** A record of the log that could be read: the event and its value exactly as stored. */
  record Decoded(EventEnvelope envelope, byte[] stored, int partition, long offset) {}

  /**
   * One record of a poll, ready to apply: its position, and when it could be read the event and the
   * values of its timeline row ({@link #eventValues}); both null for an unreadable record.
   */
  record Prepared(int partition, long offset, Decoded decoded, List<Object> eventRow) {}

  /**
   * A poll's records, decoded by {@link #decode} and waiting for {@link #apply(Batch)}; with the
   * timeline's column arrays made beforehand ({@link #withTimelineArrays}) when the live projection
   * decodes it beside the write of the previous batch.
   */
  public record Batch(List<Prepared> records, Object[] prebuiltTimeline) {

    public Batch(List<Prepared> records) {
      this(records, null);
    }

    /**
     * This batch with the column arrays of every readable record's timeline row made now, on the
     * calling thread: a batch nearly always writes all of them (void events and reused ids are
     * rare), so the writer only checks that it does.
     */
    public Batch withTimelineArrays() {
      return new Batch(records, EVENTS.arrays(timelineRows()));
    }

    /**
     * The column arrays of {@code events}, the timeline rows the batch writes: those made
     * beforehand when they are all of the batch's rows (they are taken from them in order, so the
     * same number means the same rows), else made now.
     */
    Object[] timelineArrays(List<List<Object>> events) {
      if (prebuiltTimeline != null && ((Object[]) prebuiltTimeline[0]).length == events.size()) {
        return prebuiltTimeline;
      }
      return EVENTS.arrays(events);
    }

    private List<List<Object>> timelineRows() {
      List<List<Object>> rows = new ArrayList<>(records.size());
      records.forEach(
          p -> {
            if (p.eventRow() != null) {
              rows.add(p.eventRow());
            }
          });
      return rows;
    }

    /** The partitions the records come from. */
    java.util.Set<Integer> partitions() {
      java.util.Set<Integer> out = new java.util.HashSet<>();
      records.forEach(p -> out.add(p.partition()));
      return out;
    }
  }
}
