package dev.rmm.gateway.live;

import dev.rmm.contracts.log.ChainFold;
import dev.rmm.contracts.log.ChainRule;
import dev.rmm.contracts.log.Link;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Which events of the release log count ({@link ChainRule}), for a group member that resumes from
 * its committed offsets. One per consumer; its methods run on the consumer's thread.
 *
 * <p>The rule judges an event against its release's head, which only a reader that folded the
 * release from its first event knows. Resuming mid-log and taking the first event seen of a release
 * as its head is not enough: when that event is void (the committed offset fell between a valid
 * event and another writer's competitor for the next slot), the void event would count and every
 * later valid event of the release would be judged void. So on assignment each partition is read
 * again from its beginning: the records before the committed offset were handled before a restart
 * or a rebalance and are only folded; handling resumes at the committed offset. Offsets are
 * committed only past that point, so the replay never moves a committed offset back. This is the
 * orchestrator's way too (it re-reads its partitions on every assignment); the cost is one read of
 * the assigned partitions per assignment, without calls to Telegram or the read model.
 */
final class ResumedChains {

  private static final Logger LOG = Logger.getLogger(ResumedChains.class);

  private final Map<TopicPartition, ChainFold> folds = new HashMap<>();
  private final Map<TopicPartition, Long> resumeAt = new HashMap<>();

  /**
   * From {@code onPartitionsAssigned}: remembers where handling resumes and rewinds to the start.
   */
  void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> parts) {
    if (parts.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> at = new HashMap<>();
    for (TopicPartition tp : parts) {
      at.put(tp, consumer.position(tp)); // the committed offset, or the reset policy's
      folds.put(tp, new ChainFold());
    }
    resumeAt.putAll(at);
    consumer.seekToBeginning(parts);
    LOG.infof(
        "Reading %s from the beginning to know which events count; handling resumes at %s",
        parts, at);
  }

  /** From {@code onPartitionsRevoked} and {@code onPartitionsLost}: forgets their heads. */
  void revoked(Collection<TopicPartition> parts) {
    parts.forEach(
        tp -> {
          folds.remove(tp);
          resumeAt.remove(tp);
        });
  }

  /** Folds the next record of its partition: whether it counts. */
  Link fold(ConsumerRecord<String, byte[]> r) {
    return folds
        .computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ChainFold())
        .accept(r.key(), r.value());
  }

  /** Whether the record was handled before this assignment (it is read again only to fold it). */
  boolean handledBefore(ConsumerRecord<String, byte[]> r) {
    return r.offset() < resumeAt.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L);
  }

  /**
   * The offsets to commit once {@code batch} is handled: partitions past where handling resumed.
   */
  Map<TopicPartition, OffsetAndMetadata> toCommit(ConsumerRecords<String, byte[]> batch) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (TopicPartition tp : batch.partitions()) {
      List<ConsumerRecord<String, byte[]>> records = batch.records(tp);
      long next = records.get(records.size() - 1).offset() + 1;
      if (next > resumeAt.getOrDefault(tp, 0L)) {
        out.put(tp, new OffsetAndMetadata(next));
      }
    }
    return out;
  }
}
