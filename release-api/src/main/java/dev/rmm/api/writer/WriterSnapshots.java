package dev.rmm.api.writer;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.log.FoldSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * <p>A snapshot of events partition p goes to partition p of the snapshots topic: its content (the
 * writer's {@link ColdReleases} file, whose metadata holds the header and the applied commands; the
 * file a takeover downloads and uses as it is, without building an object per release) in chunks of
 * at most {@link #CHUNK_BYTES} keyed {@code <snapshot id>/<n>}, then a manifest keyed {@code
 * manifest} that names the chunks, their first offset and the SHA-256 of their bytes, then
 * tombstones for the previous snapshot's chunks, so that compaction keeps one snapshot per
 * partition. A reader takes the newest manifest and checks the SHA-256; a snapshot that does not
 * check, or that another version of the code made ({@link #FORMAT}), is not used: the writer folds
 * from offset 0 as before, which is always right, only slower.
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
      Header header, ColdReleases releases, List<AppliedCommands.Entry> applied, int count) {}

  /** What a snapshot's file holds beside the releases ({@link ColdReleases#meta()}). */
  record Meta(
      @JsonProperty("header") Header header,
      @JsonProperty("applied") List<AppliedCommands.Entry> applied) {}

  /**
   * This code's snapshot format: the release file's layout, then {@link FoldSnapshot#FORMAT} (the
   * shape of each release's state inside it). A snapshot of another format is not read.
   */
  static final String FORMAT = "cold1-" + FoldSnapshot.FORMAT;

  private final String topic;
  private final KafkaProducer<String, byte[]> producer;
  private final Properties readerProperties;
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
  }

  String topic() {
    return topic;
  }

  /** The metadata a snapshot's release file carries. */
  static byte[] meta(Header header, List<AppliedCommands.Entry> applied) {
    try {
      return JSON.writeValueAsBytes(new Meta(header, applied));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Meta meta(ColdReleases file) throws IOException {
    return JSON.readValue(file.meta(), Meta.class);
  }

  /**
   * Sends {@code file} (a release file whose metadata is a {@link Meta}) as the snapshot of events
   * partition {@code partition}; returns when Kafka has it. Runs on the writer's compaction thread.
   */
  void write(int partition, ColdReleases file) throws Exception {
    long begin = System.nanoTime();
    Meta meta = meta(file);
    String id = UUID.randomUUID().toString();
    MessageDigest sha = sha();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    long bytes = 0;
    try (InputStream in = Files.newInputStream(file.file())) {
      byte[] chunk;
      int n = 0;
      while ((chunk = in.readNBytes(CHUNK_BYTES)).length > 0 || n == 0) {
        sha.update(chunk);
        bytes += chunk.length;
        sent.add(producer.send(new ProducerRecord<>(topic, partition, id + "/" + n++, chunk)));
        if (chunk.length < CHUNK_BYTES) {
          break;
        }
      }
    }
    long first = sent.get(0).get(30, TimeUnit.SECONDS).offset();
    for (Future<RecordMetadata> f : sent) {
      f.get(30, TimeUnit.SECONDS);
    }
    Manifest m =
        new Manifest(
            FORMAT,
            id,
            meta.header().offset(),
            first,
            sent.size(),
            HexFormat.of().formatHex(sha.digest()),
            file.size());
    producer
        .send(new ProducerRecord<>(topic, partition, MANIFEST_KEY, JSON.writeValueAsBytes(m)))
        .get(30, TimeUnit.SECONDS);
    Manifest previous = lastWritten.put(partition, m);
    if (previous != null && !previous.id().equals(m.id())) {
      for (int n = 0; n < previous.chunks(); n++) {
        producer.send(new ProducerRecord<>(topic, partition, previous.id() + "/" + n, null));
      }
    }
    LOG.infof(
        "Snapshot of partition %d at offset %d: %d releases, %d KiB in %d chunk(s), %d ms",
        partition,
        m.offset(),
        m.releases(),
        bytes / 1024,
        m.chunks(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
  }

  /**
   * The newest usable snapshot of events partition {@code partition}, downloaded into {@code dir}
   * as a release file, if there is one.
   */
  Optional<Restored> latest(int partition, Path dir) {
    TopicPartition tp = new TopicPartition(topic, partition);
    try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(readerProperties)) {
      c.assign(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      long start = c.beginningOffsets(List.of(tp)).get(tp);
      Manifest m = newestManifest(c, tp, start, end);
      if (m == null) {
        return Optional.empty();
      }
      if (!FORMAT.equals(m.format())) {
        LOG.infof(
            "The snapshot of partition %d at offset %d was made by another version (format %s,"
                + " this one %s): folding the partition from its start",
            partition, m.offset(), m.format(), FORMAT);
        return Optional.empty();
      }
      Path file = dir.resolve("snapshot-" + m.id() + ".bin");
      String sha = download(c, tp, m, end, file);
      if (sha == null) {
        Files.deleteIfExists(file);
        LOG.warnf(
            "The snapshot of partition %d at offset %d is incomplete: folding from the start",
            partition, m.offset());
        return Optional.empty();
      }
      if (!sha.equals(m.sha256())) {
        Files.deleteIfExists(file);
        LOG.warnf(
            "The snapshot of partition %d at offset %d does not match its manifest's SHA-256:"
                + " folding from the start",
            partition, m.offset());
        return Optional.empty();
      }
      ColdReleases releases = ColdReleases.open(file);
      Meta meta;
      try {
        meta = meta(releases);
      } catch (IOException | RuntimeException e) {
        releases.delete();
        throw e;
      }
      lastWritten.put(partition, m);
      return Optional.of(new Restored(meta.header(), releases, meta.applied(), releases.size()));
    } catch (Exception e) {
      LOG.warnf(
          "Could not read the snapshot of partition %d (%s): folding the partition from its start",
          partition, e.toString());
      return Optional.empty();
    }
  }

  /**
   * Reads backwards in growing windows until a manifest is found. It is near the end: only the
   * previous snapshot's tombstones (one per chunk, no payload) follow it. The first window is small
   * because the records before the manifest are chunks of 768 KiB: a window of 256 read up to 190
   * MiB, and on a loaded machine the read's deadline cut it short before the newest manifest, so a
   * takeover started from an older snapshot and folded more of the log (docs/benchmarks.md).
   */
  private Manifest newestManifest(
      KafkaConsumer<String, byte[]> c, TopicPartition tp, long start, long end) throws IOException {
    long window = 16;
    long upTo = end;
    while (upTo > start) {
      long from = Math.max(start, upTo - window);
      Manifest found = null;
      for (ConsumerRecord<String, byte[]> r : read(c, tp, from, upTo)) {
        if (MANIFEST_KEY.equals(r.key()) && r.value() != null) {
          found = JSON.readValue(r.value(), Manifest.class);
        }
      }
      if (c.position(tp) < upTo) {
        LOG.warnf(
            "Reading the snapshots of partition %d from offset %d stopped at %d, before %d (30 s):"
                + " a newer snapshot may have been missed, and the takeover folds more of the log",
            tp.partition(), from, c.position(tp), upTo);
      }
      if (found != null) {
        return found;
      }
      upTo = from;
      window *= 4;
    }
    return null;
  }

  /**
   * Writes the snapshot's chunks into {@code file}, each at its place; returns the SHA-256 of the
   * whole, or null when a chunk is missing.
   */
  private static String download(
      KafkaConsumer<String, byte[]> c, TopicPartition tp, Manifest m, long end, Path file)
      throws IOException {
    boolean[] have = new boolean[m.chunks()];
    long[] lengths = new long[m.chunks()];
    int found = 0;
    c.seek(tp, m.firstChunkOffset());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (FileChannel out =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE,
            StandardOpenOption.READ)) {
      while (found < m.chunks() && c.position(tp) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          String key = r.key();
          if (key != null && key.startsWith(m.id() + "/") && r.value() != null) {
            int n = Integer.parseInt(key.substring(m.id().length() + 1));
            if (n < have.length && !have[n]) {
              ByteBuffer b = ByteBuffer.wrap(r.value());
              long at = (long) n * CHUNK_BYTES;
              while (b.hasRemaining()) {
                at += out.write(b, at);
              }
              have[n] = true;
              lengths[n] = r.value().length;
              found++;
            }
          }
        }
      }
      if (found < m.chunks()) {
        return null;
      }
      for (int n = 0; n + 1 < lengths.length; n++) {
        if (lengths[n] != CHUNK_BYTES) {
          return null;
        }
      }
      MessageDigest sha = sha();
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      long at = 0;
      int got;
      while ((got = out.read(buf.clear(), at)) > 0) {
        at += got;
        sha.update(buf.flip());
      }
      return HexFormat.of().formatHex(sha.digest());
    }
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

  static Header header(long offset, String digest, long digestEvents) {
    return new Header(FORMAT, offset, digest, digestEvents, Instant.now().toString());
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
