package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ReleaseOrder.Candidate;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which release of a service is newer: SemVer when both tags parse, else creation order. */
class ReleaseOrderTest {

  private static final Instant EARLY = Instant.parse("2026-03-14T09:00:00Z");
  private static final Instant LATE = Instant.parse("2026-03-14T10:00:00Z");

  private static Candidate created(String tag, Instant at) {
    return new Candidate("r-" + tag + "-" + at.getEpochSecond(), tag, at);
  }

  @ParameterizedTest
  @CsvSource({
    "v1.4.0, v1.5.0",
    "1.4.0, v1.5.0",
    "v1.9.0, v1.10.0",
    "v1.5.0-rc.1, v1.5.0",
    "v1.5.0-alpha, v1.5.0-alpha.1",
    "v1.5.0-alpha.1, v1.5.0-beta",
    "v1.5.0-rc.2, v1.5.0-rc.10",
    "V2.0.0, v10.0.0",
  })
  void givenTwoSemanticVersions_thenTheHigherIsNewerWhicheverWasCreatedFirst(
      String lower, String higher) {
    assertThat(ReleaseOrder.newer(created(higher, EARLY), created(lower, LATE))).isTrue();
    assertThat(ReleaseOrder.newer(created(lower, LATE), created(higher, EARLY))).isFalse();
  }

  @Test
  void givenAHotfixTaggedAfterAHigherVersion_thenItIsOlderAndNeverSupersedesIt() {
    Candidate current = created("v1.5.0", EARLY);
    Candidate hotfix = created("v1.4.1", LATE);

    assertThat(ReleaseOrder.newer(hotfix, current)).isFalse();
    assertThat(ReleaseOrder.newer(current, hotfix)).isTrue();
  }

  @Test
  void givenTagsThatAreNotSemanticVersions_thenTheLaterCreatedIsNewer() {
    assertThat(ReleaseOrder.newer(created("build-9", LATE), created("build-10", EARLY))).isTrue();
    assertThat(ReleaseOrder.newer(created("v1.5.0", EARLY), created("nightly", LATE))).isFalse();
  }

  @Test
  void givenTheSameVersion_thenCreationOrderDecidesAndBuildMetadataIsIgnored() {
    assertThat(ReleaseOrder.newer(created("v1.5.0+b2", LATE), created("v1.5.0+b1", EARLY)))
        .isTrue();
  }

  @Test
  void givenTheSameTimeAndVersion_thenTheIdBreaksTheTieTheSameWayForEveryReader() {
    Candidate a = new Candidate("a", "v1", EARLY);
    Candidate b = new Candidate("b", "v1", EARLY);

    assertThat(ReleaseOrder.compare(a, b)).isNegative();
    assertThat(ReleaseOrder.compare(b, a)).isPositive();
    assertThat(ReleaseOrder.compare(a, a)).isZero();
  }
}
