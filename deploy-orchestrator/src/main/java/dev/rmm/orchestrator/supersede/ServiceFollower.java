package dev.rmm.orchestrator.supersede;

import dev.rmm.contracts.kafka.AlertPublisher;
import dev.rmm.contracts.kafka.ConsumerLoop;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.ops.Alert;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Reads every partition of the release log (outside the orchestrators' consumer group, which shares
 * the partitions out) into {@link ServiceReleases}, and says which services an event touched once
 * it has caught up with the log. {@link #awaitRead} is the read barrier of the dispatch guard:
 * everything appended before it was called has been folded when it returns true.
 */
public final class ServiceFollower implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ServiceFollower.class);

  private final String topic;
  private final ServiceReleases view;
  private final Consumer<Set<String>> touched;
  private final Admin admin;
  private final ConsumerLoop loop;

  /** Read positions by partition, guarded by this object's lock (the barrier waits on it). */
  private final Map<Integer, Long> positions = new HashMap<>();

  private List<TopicPartition> partitions = List.of();
  private Map<TopicPartition, Long> startEnds = Map.of();
  private boolean caughtUp;

  /**
   * @param touched told of the services touched by new events (all of them once caught up), on the
   *     reading thread: hand the work on
   */
  public ServiceFollower(
      String bootstrap,
      String topic,
      ServiceReleases view,
      Consumer<Set<String>> touched,
      AlertPublisher alerts) {
    this.topic = topic;
    this.view = view;
    this.touched = touched;
    this.admin = KafkaClients.admin(KafkaClients.adminProperties(bootstrap));
    this.loop =
        new ConsumerLoop(
            "rmm-orchestrator-services",
            // superseding may come 50 ms later; fewer, larger fetches cost less CPU
            LogConsumers.gathering(LogConsumers.properties(bootstrap), Duration.ofMillis(50)),
            new Reading(),
            Duration.ofMillis(500),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            e ->
                alerts.publish(
                    Alert.consumerError(
                        "deploy-orchestrator", "rmm-orchestrator-services", e, null)));
  }

  public void start() {
    loop.start();
  }

  /**
   * Waits until everything appended to the log before this call has been folded.
   *
   * @return false when that did not happen within {@code timeout} (act later, not on a guess)
   */
  public boolean awaitRead(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<TopicPartition> parts;
    synchronized (this) {
      // right after a start the follower may not have opened the log yet (release-api creates
      // the topic; the loop opens again a few seconds after "no partitions yet"): wait for it
      // within the same bound rather than deferring the dispatch to a recheck, which would act
      // outside the approval's trace
      while (partitions.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      parts = partitions;
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    parts.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<Integer, Long> ends = new HashMap<>();
    try {
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> r =
          admin
              .listOffsets(latest)
              .all()
              .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      r.forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      LOG.warnf(
          "Could not read the log's end offsets: %s; not dispatching on a guess", e.toString());
      return false;
    }
    synchronized (this) {
      while (!reached(ends)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  private boolean reached(Map<Integer, Long> ends) {
    for (Map.Entry<Integer, Long> e : ends.entrySet()) {
      if (positions.getOrDefault(e.getKey(), 0L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    loop.stop();
    admin.close(Duration.ofSeconds(5));
  }

  /** Reads every partition from the start on each (re)start of the loop. */
  private final class Reading implements ConsumerLoop.Session {

    @Override
    public void open(KafkaConsumer<String, byte[]> c) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      if (parts.isEmpty()) {
        // release-api creates the topic; the loop opens again in a few seconds
        throw new IllegalStateException(topic + " has no partitions yet");
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      view.clear();
      synchronized (ServiceFollower.this) {
        partitions = parts;
        positions.clear();
        startEnds = c.endOffsets(parts);
        caughtUp = false;
        ServiceFollower.this.notifyAll(); // awaitRead waits for the partitions
      }
    }

    @Override
    public void handle(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
      Set<String> services = new HashSet<>();
      for (ConsumerRecord<String, byte[]> r : records) {
        view.apply(r.key(), r.value()).ifPresent(services::add);
      }
      boolean nowCaughtUp = false;
      synchronized (ServiceFollower.this) {
        for (TopicPartition tp : partitions) {
          positions.put(tp.partition(), c.position(tp));
        }
        if (!caughtUp
            && startEnds.entrySet().stream()
                .allMatch(
                    e -> positions.getOrDefault(e.getKey().partition(), 0L) >= e.getValue())) {
          caughtUp = true;
          nowCaughtUp = true;
        }
        ServiceFollower.this.notifyAll();
        if (!caughtUp) {
          return;
        }
      }
      if (nowCaughtUp) {
        LOG.infof(
            "Read every partition of the log: %d releases of %d services in view for superseding",
            view.size(), view.services().size());
        touched.accept(new HashSet<>(view.services()));
      } else if (!services.isEmpty()) {
        touched.accept(services);
      }
    }
  }
}
