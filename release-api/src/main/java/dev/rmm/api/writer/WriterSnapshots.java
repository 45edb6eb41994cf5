package dev.rmm.api.writer;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.log.FoldSnapshot;
import dev.rmm.contracts.log.StateFold;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Snapshots of the partition writers' state on a compacted topic, so that a writer taking over a
 * partition reads the newest snapshot and folds only the log after it (issue 12: a takeover in
 * seconds, not a fold of the whole partition from offset 0).
 *
 * <p>A snapshot of events partition p goes to partition p of the snapshots topic: its content (gzip
 * of a header, the applied commands and {@link FoldSnapshot}'s releases) in chunks of at most
 * {@link #CHUNK_BYTES} keyed {@code <snapshot id>/<n>}, then a manifest keyed {@code manifest} that
 * names the chunks, their first offset and the SHA-256 of their bytes, then tombstones for the
 * previous snapshot's chunks, so that compaction keeps one snapshot per partition. A reader takes
 * the newest manifest and checks the SHA-256; a snapshot that does not check, or that another
 * version of the code made ({@link FoldSnapshot#FORMAT}), is not used: the writer folds from offset
 * 0 as before, which is always right, only slower.
 *
 * <p>Only release-api's principal may write the topic (AclLayout): a snapshot is trusted as much as
 * the events themselves.
 */
final class WriterSnapshots implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(WriterSnapshots.class);

  /** Below Kafka's default largest message (1 MiB) with room for the record's overhead. */
  static final int CHUNK_BYTES = 768 * 1024;

  static final String MANIFEST_KEY = "manifest";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a snapshot holds besides the releases. */
  record Header(
      @JsonProperty("format") String format,
      @JsonProperty("offset") long offset,
      @JsonProperty("digest") String digest,
      @JsonProperty("digest_events") long digestEvents,
      @JsonProperty("taken_at") String takenAt) {}

  /** Where a snapshot's chunks are. */
  record Manifest(
      @JsonProperty("format") String format,
      @JsonProperty("id") String id,
      @JsonProperty("offset") long offset,
      @JsonProperty("first_chunk_offset") long firstChunkOffset,
      @JsonProperty("chunks") int chunks,
      @JsonProperty("sha256") String sha256,
      @JsonProperty("releases") int releases) {}

  /** A snapshot read back: the writer's books as of {@code header.offset()}. */
  record Restored(
      Header header, StateFold fold, List<AppliedCommands.Entry> applied, int releases) {}

  /** A snapshot to write, copied from the writer's books on its own thread. */
  record Taken(
      Header header, List<AppliedCommands.Entry> applied, List<FoldSnapshot.Entry> releases) {}

  private final String topic;
  private final KafkaProducer<String, byte[]> producer;
  private final Properties readerProperties;
  private final ExecutorService worker;
  private final Map<Integer, Manifest> lastWritten = Collections.synchronizedMap(new HashMap<>());

  WriterSnapshots(String topic, Properties producerProperties, Properties readerProperties) {
    this.topic = topic;
    Properties p = new Properties();
    p.putAll(producerProperties);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "rmm-writer-snapshots");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024);
    // not on the answering path: let records batch
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    this.producer = KafkaClients.producer(p);
    this.readerProperties = readerProperties;
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "rmm-writer-snapshots");
              t.setDaemon(true);
              return t;
            });
  }

  String topic() {
    return topic;
  }

  /** Writes {@code taken} in the background; the future ends when it is in Kafka (or failed). */
  Future<?> writeLater(int partition, Taken taken) {
    return worker.submit(
        () -> {
          try {
            write(partition, taken);
          } catch (Exception e) {
            LOG.warnf(
                "The snapshot of partition %d at offset %d was not written: %s. The next takeover"
                    + " folds more of the log; nothing is lost.",
                partition, taken.header().offset(), e.toString());
          }
        });
  }

  void write(int partition, Taken taken) throws Exception {
    long begin = System.nanoTime();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 20);
    try (OutputStream gz = new GZIPOutputStream(buffer, 1 << 16)) {
      encode(taken, gz);
    }
    byte[] bytes = buffer.toByteArray();
    String id = UUID.randomUUID().toString();
    int chunks = Math.max(1, (bytes.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
    List<Future<RecordMetadata>> sent = new ArrayList<>(chunks);
    for (int n = 0; n < chunks; n++) {
      int from = n * CHUNK_BYTES;
      int to = Math.min(bytes.length, from + CHUNK_BYTES);
      byte[] chunk = java.util.Arrays.copyOfRange(bytes, from, to);
      sent.add(producer.send(new ProducerRecord<>(topic, partition, id + "/" + n, chunk)));
    }
    long first = sent.get(0).get(30, TimeUnit.SECONDS).offset();
    for (Future<RecordMetadata> f : sent) {
      f.get(30, TimeUnit.SECONDS);
    }
    Manifest m =
        new Manifest(
            taken.header().format(),
            id,
            taken.header().offset(),
            first,
            chunks,
            sha256(bytes),
            taken.releases().size());
    producer
        .send(new ProducerRecord<>(topic, partition, MANIFEST_KEY, JSON.writeValueAsBytes(m)))
        .get(30, TimeUnit.SECONDS);
    Manifest previous = lastWritten.put(partition, m);
    if (previous != null) {
      for (int n = 0; n < previous.chunks(); n++) {
        producer.send(new ProducerRecord<>(topic, partition, previous.id() + "/" + n, null));
      }
    }
    LOG.infof(
        "Snapshot of partition %d at offset %d: %d releases, %d KiB in %d chunk(s), %d ms",
        partition,
        m.offset(),
        m.releases(),
        bytes.length / 1024,
        chunks,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
  }

  /** The newest usable snapshot of events partition {@code partition}, if there is one. */
  Optional<Restored> latest(int partition) {
    TopicPartition tp = new TopicPartition(topic, partition);
    try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(readerProperties)) {
      c.assign(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      long start = c.beginningOffsets(List.of(tp)).get(tp);
      Manifest m = newestManifest(c, tp, start, end);
      if (m == null) {
        return Optional.empty();
      }
      if (!FoldSnapshot.FORMAT.equals(m.format())) {
        LOG.infof(
            "The snapshot of partition %d at offset %d was made by another version (format %s,"
                + " this one %s): folding the partition from its start",
            partition, m.offset(), m.format(), FoldSnapshot.FORMAT);
        return Optional.empty();
      }
      byte[] bytes = chunks(c, tp, m, end);
      if (bytes == null) {
        LOG.warnf(
            "The snapshot of partition %d at offset %d is incomplete: folding from the start",
            partition, m.offset());
        return Optional.empty();
      }
      if (!sha256(bytes).equals(m.sha256())) {
        LOG.warnf(
            "The snapshot of partition %d at offset %d does not match its manifest's SHA-256:"
                + " folding from the start",
            partition, m.offset());
        return Optional.empty();
      }
      Restored r = decode(new GZIPInputStream(new ByteArrayInputStream(bytes), 1 << 16));
      lastWritten.put(partition, m);
      return Optional.of(r);
    } catch (Exception e) {
      LOG.warnf(
          "Could not read the snapshot of partition %d (%s): folding the partition from its start",
          partition, e.toString());
      return Optional.empty();
    }
  }

  /** Reads backwards in growing windows until a manifest is found (it is near the end). */
  private Manifest newestManifest(
      KafkaConsumer<String, byte[]> c, TopicPartition tp, long start, long end) throws IOException {
    long window = 256;
    long upTo = end;
    while (upTo > start) {
      long from = Math.max(start, upTo - window);
      Manifest found = null;
      for (ConsumerRecord<String, byte[]> r : read(c, tp, from, upTo)) {
        if (MANIFEST_KEY.equals(r.key()) && r.value() != null) {
          found = JSON.readValue(r.value(), Manifest.class);
        }
      }
      if (found != null) {
        return found;
      }
      upTo = from;
      window *= 4;
    }
    return null;
  }

  private static byte[] chunks(
      KafkaConsumer<String, byte[]> c, TopicPartition tp, Manifest m, long end) throws IOException {
    byte[][] parts = new byte[m.chunks()][];
    int found = 0;
    c.seek(tp, m.firstChunkOffset());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (found < m.chunks() && c.position(tp) < end && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
        String key = r.key();
        if (key != null && key.startsWith(m.id() + "/") && r.value() != null) {
          int n = Integer.parseInt(key.substring(m.id().length() + 1));
          if (n < parts.length && parts[n] == null) {
            parts[n] = r.value();
            found++;
          }
        }
      }
    }
    if (found < m.chunks()) {
      return null;
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      all.write(p);
    }
    return all.toByteArray();
  }

  private static List<ConsumerRecord<String, byte[]>> read(
      KafkaConsumer<String, byte[]> c, TopicPartition tp, long from, long to) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    c.seek(tp, from);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (c.position(tp) < to && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
        if (r.offset() < to) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** The snapshot's content: the header, the applied commands, then the releases. */
  static void encode(Taken taken, OutputStream out) throws IOException {
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      JSON.writeValue(g, taken.header());
      JSON.writeValue(g, taken.applied());
    }
    out.write('\n');
    FoldSnapshot.write(taken.releases(), out);
  }

  static Restored decode(InputStream in) throws IOException {
    // the header and the applied commands are one line each, then FoldSnapshot's array
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      head.write(b);
    }
    Header header;
    List<AppliedCommands.Entry> applied;
    try (JsonParser p = JSON.getFactory().createParser(head.toByteArray())) {
      p.nextToken();
      header = JSON.readValue(p, Header.class);
      p.nextToken();
      applied = JSON.readValue(p, new TypeReference<List<AppliedCommands.Entry>>() {});
    }
    StateFold fold = new StateFold();
    int releases = FoldSnapshot.read(in, fold);
    return new Restored(header, fold, applied, releases);
  }

  static Header header(long offset, String digest, long digestEvents) {
    return new Header(FoldSnapshot.FORMAT, offset, digest, digestEvents, Instant.now().toString());
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public void close() {
    worker.shutdown();
    try {
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
