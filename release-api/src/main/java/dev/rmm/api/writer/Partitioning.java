package dev.rmm.api.writer;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Which partition a release lives on: Kafka's default partitioner formula for a string key, so a
 * command produced with the release id as key by any Kafka client (the console producer included)
 * lands on the partition whose writer owns that release.
 */
public final class Partitioning {

  private Partitioning() {}

  public static int partitionOf(String releaseId, int partitions) {
    byte[] key = releaseId.getBytes(StandardCharsets.UTF_8);
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }
}
