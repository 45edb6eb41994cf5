package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.contracts.log.ChainRule;
import dev.rmm.contracts.log.FoldSnapshot;
import dev.rmm.contracts.log.StateFold;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A fold written out and read back is the same fold: every state and every chain head. */
class FoldSnapshotTest {

  @Test
  void givenReleasesInEveryStatus_whenSnapshottedAndRead_thenEachStateAndHeadIsTheSame()
      throws IOException {
    StateFold fold = new StateFold();
    long n = 0;
    for (ReleaseStatus status : ReleaseStatus.values()) {
      ReleaseState s = renamed(Releases.inStatus(status), "rel-" + status.wire());
      fold.put(s, new ChainRule.Head(s.version(), "%064x".formatted(++n), n % 2 == 0));
    }

    StateFold back = roundTrip(fold);

    assertThat(back.size()).isEqualTo(fold.size()).isEqualTo(ReleaseStatus.values().length);
    fold.forEach(
        (id, state) -> {
          assertThat(back.state(id)).isEqualTo(state);
          assertThat(back.head(id)).isEqualTo(fold.head(id));
        });
  }

  @Test
  void givenAReleaseWithApprovalsADispatchAndARunbook_whenRoundTripped_thenNothingIsLost()
      throws IOException {
    List<ReleaseEvent> history =
        new java.util.ArrayList<>(
            Releases.eventsTo(ReleaseStatus.MANUAL_TEST_PASSED, Releases.TWO_OF_THREE));
    history.add(
        new ReleaseEvent.DispatchStarted(
            "d-1", "acme/billing", "deploy-production.yml", "refs/tags/v1.2.3"));
    history.add(new ReleaseEvent.RunbookStarted("run-1", "prod-1", "v1.2.2"));
    ReleaseState rolledBack = Releases.given(history);
    assertThat(rolledBack.approvals()).isNotEmpty();
    assertThat(rolledBack.dispatch()).isNotNull();
    assertThat(rolledBack.runbook()).isNotNull();
    StateFold fold = new StateFold();
    fold.put(rolledBack, new ChainRule.Head(rolledBack.version(), "ab".repeat(32), true));

    assertThat(roundTrip(fold).state(rolledBack.releaseId())).isEqualTo(rolledBack);
  }

  @Test
  void givenApprovalsWithTheirTimeAndCommitAndAMovedTag_whenRoundTripped_thenNothingIsLost()
      throws IOException {
    // the times come from the events' envelopes (an approval expires by them): folded with them
    StateFold live = new StateFold();
    java.time.Instant at = java.time.Instant.parse("2026-03-14T09:00:00.123456Z");
    long seq = 0;
    List<ReleaseEvent> history =
        new java.util.ArrayList<>(
            Releases.eventsTo(ReleaseStatus.MANUAL_TESTING, Releases.TWO_OF_THREE));
    history.add(
        new ReleaseEvent.ApprovalsVoided(
            "v1.2.3", Releases.SPEC.commitSha(), "9e8d7c6", List.of(), "tag moved"));
    history.add(
        new ReleaseEvent.ApprovalGranted(Releases.BOB, "Bob", 1, 2, null, "v1.2.3", "9e8d7c6"));
    ReleaseState state = ReleaseState.none(Releases.ID);
    for (ReleaseEvent e : history) {
      state =
          ReleaseDecider.evolve(
              state,
              new EventEnvelope(
                  "e" + ++seq,
                  Releases.ID,
                  seq,
                  at.plusSeconds(seq),
                  Releases.PIPELINE,
                  null,
                  null,
                  null,
                  e));
    }
    assertThat(state.approvals().get(0).at()).isNotNull();
    assertThat(state.approvals().get(0).commitSha()).isEqualTo("9e8d7c6");
    assertThat(state.commitSha()).isEqualTo("9e8d7c6");
    live.put(state, new ChainRule.Head(state.version(), "ab".repeat(32), true));

    assertThat(roundTrip(live).state(Releases.ID)).isEqualTo(state);
  }

  @Test
  void givenAnEmptyFold_whenRoundTripped_thenItIsEmpty() throws IOException {
    assertThat(roundTrip(new StateFold()).size()).isZero();
  }

  @Test
  void givenSomethingElse_whenRead_thenItIsRefusedNotHalfRead() {
    assertThatThrownBy(() -> read("{\"not\":\"an array\"}")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> read("[{\"state\":{\"releaseId\":\"x\"},\"unknown\":1}]"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void givenThisCode_whenAskedForTheFormat_thenItNamesTheRevisionAndTheShape() {
    assertThat(FoldSnapshot.FORMAT).matches("\\d+-[0-9a-f]{16}");
  }

  private static StateFold roundTrip(StateFold fold) throws IOException {
    List<FoldSnapshot.Entry> entries = FoldSnapshot.entries(fold);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FoldSnapshot.write(entries, out);
    StateFold back = new StateFold();
    int n = FoldSnapshot.read(new ByteArrayInputStream(out.toByteArray()), back);
    assertThat(n).isEqualTo(entries.size());
    return back;
  }

  private static void read(String json) throws IOException {
    FoldSnapshot.read(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), new StateFold());
  }

  private static ReleaseState renamed(ReleaseState s, String id) {
    return new ReleaseState(
        id,
        s.spec(),
        s.policy(),
        s.status(),
        s.version(),
        s.statusVersion(),
        s.approvals(),
        s.rejectionReason(),
        s.rollbackToTag(),
        s.dispatch(),
        s.runbook(),
        s.rollbackRequestedBy(),
        s.commitSha(),
        s.breakGlass(),
        s.stagedCommit());
  }
}
