package dev.rmm.contracts.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.EventChain;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The chain rule: the first next link wins, every other event of the release is void. */
class ChainFoldTest {

  private static final String ID = "rel-1";
  private final ChainFold fold = new ChainFold();

  @Test
  void givenTwoEventsForOneSlot_whenFolded_thenTheFirstCountsAndTheSecondIsVoid() {
    byte[] first = stored(1, EventChain.GENESIS);
    byte[] rival = stored(1, EventChain.GENESIS);

    assertThat(fold.accept(ID, first)).isInstanceOf(Link.Valid.class);
    Link lost = fold.accept(ID, rival);

    assertThat(lost).isInstanceOf(Link.Void.class);
    assertThat(((Link.Void) lost).why()).contains("lost a race");
    assertThat(fold.head(ID).sequence()).isEqualTo(1);
    assertThat(fold.head(ID).hash()).isEqualTo(EventChain.hash(first));
  }

  @Test
  void givenAFollowerOfAVoidEvent_whenFolded_thenItIsVoidTooAndTheRealNextLinkCounts() {
    byte[] first = stored(1, EventChain.GENESIS);
    byte[] rival = stored(1, EventChain.GENESIS);
    byte[] onRival = stored(2, EventChain.hash(rival));
    byte[] second = stored(2, EventChain.hash(first));

    fold.accept(ID, first);
    fold.accept(ID, rival);
    assertThat(fold.accept(ID, onRival)).isInstanceOf(Link.Void.class);
    assertThat(fold.accept(ID, second)).isInstanceOf(Link.Valid.class);
    assertThat(fold.head(ID).sequence()).isEqualTo(2);
  }

  @Test
  void givenAGapOrAWrongLink_whenFolded_thenVoid() {
    fold.accept(ID, stored(1, EventChain.GENESIS));
    assertThat(fold.accept(ID, stored(3, EventChain.GENESIS))).isInstanceOf(Link.Void.class);
    assertThat(fold.accept(ID, stored(2, "f".repeat(64)))).isInstanceOf(Link.Void.class);
    assertThat(fold.accept(ID, "{".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(Link.Unreadable.class);
  }

  @Test
  void givenEventsWrittenBeforeChaining_whenFolded_thenTheyCountBySequenceUntilTheFirstLink() {
    byte[] legacy1 = stored(1, null);
    byte[] legacy2 = stored(2, null);
    assertThat(fold.accept(ID, legacy1)).isInstanceOf(Link.Valid.class);
    assertThat(fold.accept(ID, legacy2)).isInstanceOf(Link.Valid.class);
    assertThat(fold.accept(ID, stored(3, EventChain.hash(legacy2)))).isInstanceOf(Link.Valid.class);
    // once chained, an event without a link is void
    assertThat(fold.accept(ID, stored(4, null))).isInstanceOf(Link.Void.class);
  }

  @Test
  void givenAnEventHashedByItsWriter_whenFolded_thenTheSameRuleAndHeadAsFromItsBytes() {
    byte[] first = stored(1, EventChain.GENESIS);
    EventEnvelope decoded = EventCodec.decode(first);
    ChainFold other = new ChainFold();

    assertThat(fold.acceptHashed(decoded, EventChain.hash(first))).isInstanceOf(Link.Valid.class);
    other.accept(ID, first);
    assertThat(fold.head(ID)).isEqualTo(other.head(ID));
    assertThat(fold.acceptHashed(decoded, EventChain.hash(first))).isInstanceOf(Link.Void.class);
  }

  @Test
  void givenAStateFold_whenAVoidEventArrives_thenTheStateIgnoresIt() {
    StateFold states = new StateFold();
    byte[] created = created();
    states.accept(ID, created);
    byte[] step = stored(2, EventChain.hash(created));
    byte[] rival = stored(2, EventChain.hash(created));
    states.accept(ID, step);
    states.accept(ID, rival);
    assertThat(states.state(ID).version()).isEqualTo(2);
    assertThat(states.state(ID).status()).isEqualTo(ReleaseStatus.STAGE_BUILDING);
  }

  private static byte[] created() {
    var spec =
        new dev.rmm.contracts.ReleaseSpec(
            "billing",
            "v1",
            "octocat",
            "1",
            "https://x/1",
            "refs/tags/v1",
            "acme/billing",
            "abc1234");
    var policy =
        new dev.rmm.contracts.ApprovalPolicy(
            java.util.List.of(new dev.rmm.contracts.ApprovalPolicy.Approver(1, "Ann", null)),
            1,
            false,
            java.util.List.of());
    return EventCodec.encode(
        envelope(1, new ReleaseEvent.ReleaseCreated(spec, policy)).chainedTo(EventChain.GENESIS));
  }

  private static byte[] stored(long seq, String prev) {
    EventEnvelope e =
        envelope(
            seq,
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING, null));
    return EventCodec.encode(prev == null ? e : e.chainedTo(prev));
  }

  private static EventEnvelope envelope(long seq, ReleaseEvent data) {
    return new EventEnvelope(
        UUID.randomUUID().toString(),
        ID,
        seq,
        Instant.parse("2026-11-30T10:00:00Z"),
        Actor.system("test"),
        null,
        null,
        null,
        data);
  }
}
