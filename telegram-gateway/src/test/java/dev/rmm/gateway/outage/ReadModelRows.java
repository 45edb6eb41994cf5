package dev.rmm.gateway.outage;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.testsupport.MigrationOrder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What release-api and release-projector would write, written by the test instead, so it decides
 * when the read model catches up: the projector's read-model schema, release rows, and events
 * appended to the log with their hash chain.
 */
public final class ReadModelRows {

  private ReadModelRows() {}

  /** The read model as release-projector's migrations make it, once per database. */
  public static void ensureSchema(Pool pg) {
    boolean there =
        pg.query("SELECT to_regclass('read_model.releases') IS NOT NULL AS there")
            .execute()
            .await()
            .atMost(Duration.ofSeconds(30))
            .iterator()
            .next()
            .getBoolean("there");
    if (there) {
      return;
    }
    StringBuilder sql =
        new StringBuilder("CREATE SCHEMA read_model; SET search_path TO read_model;");
    try (Stream<Path> files =
        Files.list(Path.of("../release-projector/src/main/resources/db/readmodel"))) {
      for (Path f : files.sorted(MigrationOrder.BY_VERSION).toList()) {
        sql.append(Files.readString(f)).append(';');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sql.append("RESET search_path;");
    pg.query(sql.toString()).execute().await().atMost(Duration.ofSeconds(30));
  }

  /**
   * Writes the release's row at {@code version}, as the projector does after applying that event.
   *
   * @param approversJson the required approvers, e.g. {@code [{"id":1,"name":"Ann"}]}
   */
  static void putRelease(
      Pool pg,
      String id,
      String service,
      String tag,
      String status,
      long version,
      String approversJson,
      int quorum) {
    Instant now = Instant.now();
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag, status,"
                + " outcome, initiated_by, github_run_id, github_action_link, github_ref,"
                + " repository, commit_sha, required_approvers, quorum, version, created_at,"
                + " started_at, updated_at) VALUES ($1, $2, $3, $4, 'active', 'octocat', '1',"
                + " 'https://github.com/acme/x/actions/runs/1', 'refs/tags/' || $3, 'acme/x',"
                + " 'abc1234', $5::jsonb, $6, $7, $8, $8, $8) ON CONFLICT (release_id) DO UPDATE"
                + " SET status = EXCLUDED.status, version = EXCLUDED.version, updated_at ="
                + " EXCLUDED.updated_at")
        .execute(
            Tuple.from(
                List.of(
                    id,
                    service,
                    tag,
                    status,
                    new io.vertx.core.json.JsonArray(approversJson),
                    quorum,
                    version,
                    now.atOffset(ZoneOffset.UTC))))
        .await()
        .atMost(Duration.ofSeconds(10));
  }

  /**
   * Appends {@code e} linked to {@code previous} (as stored; null for a release's first event);
   * returns it as stored.
   */
  public static byte[] append(
      KafkaProducer<String, byte[]> producer, String topic, EventEnvelope e, byte[] previous)
      throws Exception {
    byte[] stored =
        EventCodec.encode(
            e.chainedTo(previous == null ? EventChain.GENESIS : EventChain.hash(previous)));
    producer.send(new ProducerRecord<>(topic, e.releaseId(), stored)).get();
    return stored;
  }

  public static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }
}
