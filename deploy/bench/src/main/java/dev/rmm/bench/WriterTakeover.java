package dev.rmm.bench;

import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.log.FoldSnapshot;
import dev.rmm.contracts.log.StateFold;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What a partition takeover of release-api's writer costs, with and without a snapshot (issue 12):
 * reads one partition of the event log from offset 0 and folds it through the chain rule and {@code
 * evolve} (a takeover without a snapshot), then writes that fold as the writer's snapshot does
 * (FoldSnapshot, gzip) and restores it (a takeover with one, before folding the log after it). Each
 * round runs all three; the first rounds warm the JIT.
 *
 * <p>Usage: {@code deploy/bench/takeover [--bootstrap 127.0.0.1:9092] [--partition 0] [--rounds 3]
 * [--topic rmm.release-events]}
 */
public final class WriterTakeover {

  public static void main(String[] args) {
    String bootstrap = "127.0.0.1:9092";
    String topic = "rmm.release-events";
    int partition = 0;
    int rounds = 3;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--bootstrap" -> bootstrap = args[i + 1];
        case "--topic" -> topic = args[i + 1];
        case "--partition" -> partition = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Properties p = LogConsumers.properties(bootstrap);
    p.put("max.partition.fetch.bytes", String.valueOf(8 << 20));
    TopicPartition tp = new TopicPartition(topic, partition);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      c.assign(List.of(tp));
      for (int round = 1; round <= rounds; round++) {
        c.seekToBeginning(List.of(tp));
        long end = c.endOffsets(List.of(tp)).get(tp);
        long t0 = System.nanoTime();
        StateFold fold = new StateFold();
        long records = 0;
        while (c.position(tp) < end) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
            fold.accept(r.key(), r.value());
            records++;
          }
        }
        long t1 = System.nanoTime();
        ByteArrayOutputStream snapshot = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(snapshot, 1 << 16)) {
          FoldSnapshot.write(FoldSnapshot.entries(fold), gz);
        }
        long t2 = System.nanoTime();
        StateFold restored = new StateFold();
        int releases =
            FoldSnapshot.read(
                new GZIPInputStream(new ByteArrayInputStream(snapshot.toByteArray()), 1 << 16),
                restored);
        long t3 = System.nanoTime();
        System.out.printf(
            "round %d, %s: %d records, %d releases | fold from offset 0: %.2f s (%.0f records/s)"
                + " | snapshot written: %.2f s, %d KiB gzip | restored: %.2f s (%d releases)%n",
            round,
            tp,
            records,
            fold.size(),
            (t1 - t0) / 1e9,
            records / ((t1 - t0) / 1e9),
            (t2 - t1) / 1e9,
            snapshot.size() / 1024,
            (t3 - t2) / 1e9,
            releases);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
