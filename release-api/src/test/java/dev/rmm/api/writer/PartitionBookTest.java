package dev.rmm.api.writer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.audit.EventChain;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's book on its own: when releases leave the heap, and when the writer must wait. */
class PartitionBookTest {

  @TempDir Path dir;

  @Test
  void givenReleasesPushedOutOfTheHeap_whenTwiceTheBoundWaitsOutsideTheFile_thenTheBookIsOverrun() {
    try (PartitionBook book = new PartitionBook(dir, new PartitionBook.Limits(2, 3), null)) {
      // two in the heap, the least recently used pushed out beyond them
      for (int i = 0; i < 5; i++) {
        create(book, i);
        book.evict(id -> false);
      }
      assertThat(book.inHeap()).isEqualTo(2);
      assertThat(book.inOverlay()).isEqualTo(3);
      assertThat(book.overlayFull()).isTrue(); // a merge is worth starting
      assertThat(book.overlayOverrun()).isFalse(); // the fold goes on meanwhile

      for (int i = 5; i < 8; i++) {
        create(book, i);
        book.evict(id -> false);
      }
      assertThat(book.inOverlay()).isEqualTo(6);
      assertThat(book.overlayOverrun()).isTrue(); // the writer waits for the merge under way
    }
  }

  private static void create(PartitionBook book, int n) {
    String id = UUID.randomUUID().toString();
    ReleaseSpec spec =
        new ReleaseSpec(
            "billing",
            "v1." + n,
            "octocat",
            String.valueOf(n),
            "https://github.com/acme/billing/actions/runs/" + n,
            "refs/tags/v1." + n,
            "acme/billing",
            "abc1234");
    ApprovalPolicy policy =
        new ApprovalPolicy(
            List.of(new ApprovalPolicy.Approver(1, "Ann", null)), 1, false, List.of());
    EventEnvelope e =
        new EventEnvelope(
                UUID.randomUUID().toString(),
                id,
                1,
                Instant.parse("2026-12-01T10:00:00Z"),
                Actor.system("test"),
                null,
                null,
                null,
                new ReleaseEvent.ReleaseCreated(spec, policy))
            .chainedTo(EventChain.GENESIS);
    book.acceptHashed(e, EventChain.hash(EventCodec.encode(e)));
  }
}
