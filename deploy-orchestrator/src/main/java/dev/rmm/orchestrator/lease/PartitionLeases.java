package dev.rmm.orchestrator.lease;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Leases on the event log's partitions for the runbooks of their releases, so that two
 * orchestrators never act on one runbook at the same time.
 *
 * <p>Who acts on a release is decided by the consumer group: the owner of its partition. So the
 * lease is a lease on that ownership, granted by the group's coordinator, not a record of its own
 * (a lock in Redis or Postgres would be a second authority that can disagree with the group, and
 * the orchestrator has neither; an event per renewal would flood the log every few seconds). While
 * a runbook runs, this instance asks the coordinator every third of the lease whether it is still a
 * member that owns the partition; each yes holds the lease for {@code lease} from the moment the
 * question was sent. A rebalance that takes the partition away ends it at once. A runbook step runs
 * only under a held lease and is stopped, on the host too, when the lease ends.
 *
 * <p>The other side: a new owner that finds a runbook started and not ended waits {@link
 * #takeOverWait()} (twice the lease: the old owner's last renewal plus the time it takes to stop
 * its step) after it got the partition, or after the newest sign of life of the runbook it read if
 * that came later, before it declares the runbook interrupted. Only local, monotonic durations are
 * compared; no two machines' clocks.
 */
public final class PartitionLeases implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PartitionLeases.class);

  /** A runbook's hold on its release's partition. */
  public interface Lease {
    /** Whether steps may still run: the partition is owned and the lease renewed in time. */
    boolean held();

    /**
     * Waits up to {@code patience} for the lease to be held again after it lapsed without the
     * partition being taken away (the coordinator did not answer in time, e.g. during a broker's
     * failover); false at once when the partition was taken away. Only between steps: a running
     * step is stopped when the lease lapses, whatever comes next.
     */
    default boolean awaitHeld(Duration patience) {
      return held();
    }
  }

  private final Admin admin;
  private final String group;
  private final String topic;
  private final Duration lease;
  private final Map<Integer, Long> heldUntil = new ConcurrentHashMap<>();
  private final Map<Integer, Long> assignedAt = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> inUse = new ConcurrentHashMap<>();

  /** How many times each partition was taken from this instance: a lease opened before is lost. */
  private final Map<Integer, Integer> revocations = new ConcurrentHashMap<>();

  private final ScheduledExecutorService renewer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "rmm-runbook-lease");
            t.setDaemon(true);
            return t;
          });
  private volatile String memberId = "";

  public PartitionLeases(Admin admin, String group, String topic, Duration lease) {
    this.admin = admin;
    this.group = group;
    this.topic = topic;
    this.lease = lease;
    long every = Math.max(1, lease.toMillis() / 3);
    renewer.scheduleWithFixedDelay(this::renewInUse, every, every, TimeUnit.MILLISECONDS);
  }

  /** How long a new owner waits after getting a partition before it settles a runbook on it. */
  public Duration takeOverWait() {
    return lease.multipliedBy(2);
  }

  /** This instance's member id in the group (the log's thread tells it after each poll). */
  public void member(String id) {
    memberId = id == null ? "" : id;
  }

  /** This instance's member id in the group, empty before it joined. */
  public String memberId() {
    return memberId;
  }

  /** The group gave this instance the partitions now. */
  public synchronized void assigned(Collection<Integer> partitions) {
    long now = System.nanoTime();
    partitions.forEach(p -> assignedAt.put(p, now));
  }

  /** The group took the partitions away: their leases end now. */
  public synchronized void revoked(Collection<Integer> partitions) {
    partitions.forEach(
        p -> {
          assignedAt.remove(p);
          revocations.merge(p, 1, Integer::sum);
          if (heldUntil.remove(p) != null) {
            LOG.warnf(
                "Partition %d went to another orchestrator: its runbook stops before its next step"
                    + " and its running step is stopped",
                p);
          }
        });
  }

  /** Whether a runbook on the partition found started and not ended may be settled by this one. */
  public boolean mayTakeOver(int partition) {
    return mayTakeOver(partition, null);
  }

  /**
   * Whether a runbook on the partition found started and not ended, whose last sign of life this
   * instance saw at {@code lastSeen} ({@link System#nanoTime}; null: none), may be settled by this
   * one: {@link #takeOverWait()} has passed since the later of the two, getting the partition and
   * that sign. The old owner's lease ended at the latest a lease after its last renewal, which came
   * before the group gave the partition here; a runbook event read after that (a step result that
   * reached the log late) shows the old owner was still at work, so the wait starts again from it.
   */
  public boolean mayTakeOver(int partition, Long lastSeen) {
    Long at = assignedAt.get(partition);
    if (at == null) {
      return false;
    }
    long since = lastSeen != null && lastSeen - at > 0 ? lastSeen : at;
    return System.nanoTime() - since >= takeOverWait().toNanos();
  }

  /**
   * A lease for a runbook of the partition, renewed while it is open; held at once only if the
   * coordinator says now that this instance owns the partition.
   */
  public OpenLease open(int partition) {
    inUse.merge(partition, 1, Integer::sum);
    renew(Set.of(partition));
    return new OpenLease(partition);
  }

  /** A lease in use by one runbook; closing it stops its renewal. */
  public final class OpenLease implements Lease, AutoCloseable {
    private final int partition;
    private final int revokedBefore;

    private OpenLease(int partition) {
      this.partition = partition;
      this.revokedBefore = revocations.getOrDefault(partition, 0);
    }

    @Override
    public boolean held() {
      Long until = heldUntil.get(partition);
      return until != null && until - System.nanoTime() > 0 && !lost();
    }

    /** Whether the partition was taken from this instance since the lease was opened. */
    public boolean lost() {
      return revocations.getOrDefault(partition, 0) != revokedBefore
          || !assignedAt.containsKey(partition);
    }

    @Override
    public boolean awaitHeld(Duration patience) {
      long deadline = System.nanoTime() + patience.toNanos();
      while (!held()) {
        if (lost() || System.nanoTime() - deadline > 0) {
          return false;
        }
        renew(Set.of(partition));
        try {
          Thread.sleep(Math.min(1000, Math.max(10, lease.toMillis() / 10)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }

    @Override
    public void close() {
      inUse.computeIfPresent(partition, (p, n) -> n > 1 ? n - 1 : null);
    }
  }

  private void renewInUse() {
    if (!inUse.isEmpty()) {
      renew(Set.copyOf(inUse.keySet()));
    }
  }

  /** Asks the coordinator which partitions this member owns; renews those of {@code wanted}. */
  private void renew(Set<Integer> wanted) {
    long asked = System.nanoTime();
    String me = memberId;
    if (me.isEmpty()) {
      return;
    }
    Set<Integer> owned;
    try {
      ConsumerGroupDescription d =
          admin
              .describeConsumerGroups(List.of(group))
              .describedGroups()
              .get(group)
              .get(lease.toMillis() / 2, TimeUnit.MILLISECONDS);
      owned =
          d.members().stream()
              .filter(m -> m.consumerId().equals(me))
              .map(MemberDescription::assignment)
              .flatMap(a -> a.topicPartitions().stream())
              .filter(tp -> tp.topic().equals(topic))
              .map(TopicPartition::partition)
              .collect(Collectors.toSet());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      LOG.warnf(
          "Cannot ask the group coordinator whether this orchestrator still owns partitions %s: %s;"
              + " their runbooks stop if this lasts %d s",
          wanted, e.toString(), lease.toSeconds());
      return;
    }
    synchronized (this) { // not across a revocation that came while the coordinator answered
      for (int p : wanted) {
        if (owned.contains(p) && assignedAt.containsKey(p)) {
          heldUntil.put(p, asked + lease.toNanos());
        } else {
          heldUntil.remove(p);
        }
      }
    }
  }

  @Override
  public void close() {
    renewer.shutdownNow();
  }
}
