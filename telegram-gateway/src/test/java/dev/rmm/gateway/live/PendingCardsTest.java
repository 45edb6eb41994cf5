package dev.rmm.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The cards waiting for the read model: one per release, and what may be committed meanwhile. */
class PendingCardsTest {

  private static final TopicPartition P0 = new TopicPartition("rmm.release-events", 0);
  private static final TopicPartition P1 = new TopicPartition("rmm.release-events", 1);

  private final PendingCards pending = new PendingCards();

  @Test
  void givenNewerEventsOfOneRelease_thenOnlyTheNewestWaits_atItsOffset() {
    pending.waitFor("r1", 3, null, P0, 10, 0);
    pending.waitFor("r1", 5, null, P0, 20, 0);
    pending.waitFor("r1", 4, null, P0, 15, 0); // older than what waits: ignored

    assertThat(pending.size()).isEqualTo(1);
    assertThat(pending.lowestOffset(P0)).hasValue(20);
    assertThat(pending.lowestOffset(P1)).isEmpty();
  }

  @Test
  void givenACardDrawnAtAnOlderVersion_thenItStillWaits_andAtItsVersionItIsDone() {
    pending.waitFor("r1", 5, null, P0, 20, 0);

    pending.drawn("r1", 4);
    assertThat(pending.size()).isEqualTo(1);

    pending.drawn("r1", 5);
    assertThat(pending.size()).isZero();
    assertThat(pending.lowestOffset(P0)).isEmpty();
  }

  @Test
  void givenAWaitingCard_thenItIsDueAfterItsBackoff_whichDoublesUpToTheMaximum() {
    long start = 1_000_000_000L;
    pending.waitFor("r1", 2, null, P0, 7, start);
    assertThat(pending.due(start)).isEmpty();
    long due = start + PendingCards.FIRST_BACKOFF.toNanos();
    assertThat(pending.due(due)).hasSize(1);

    long now = due;
    for (int i = 0; i < 10; i++) {
      PendingCards.Pending p = pending.due(now).get(0);
      pending.later(p, now);
      assertThat(p.backoff()).isLessThanOrEqualTo(PendingCards.MAX_BACKOFF);
      now = pending.due(Long.MAX_VALUE / 2).get(0).dueAt();
    }
    PendingCards.Pending last = pending.due(now).get(0);
    assertThat(last.backoff()).isEqualTo(PendingCards.MAX_BACKOFF);
  }

  @Test
  void givenRevokedPartitions_thenTheirCardsAreLeftToTheNextOwner() {
    pending.waitFor("r1", 2, null, P0, 7, 0);
    pending.waitFor("r2", 9, null, P1, 3, 0);

    pending.revoked(List.of(P0));

    assertThat(pending.size()).isEqualTo(1);
    assertThat(pending.lowestOffset(P0)).isEmpty();
    assertThat(pending.lowestOffset(P1)).hasValue(3);
  }
}
