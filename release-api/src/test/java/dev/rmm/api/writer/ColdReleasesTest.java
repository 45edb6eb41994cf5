package dev.rmm.api.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's release file: what is merged in is found again, and only that. */
class ColdReleasesTest {

  @TempDir Path dir;

  @Test
  void givenAFileMergedTwice_whenReleasesAreLookedUp_thenEachHasItsNewestValueAndOthersAreAbsent()
      throws Exception {
    Map<String, String> expected = new HashMap<>();
    List<ColdReleases.Row> first = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String id = UUID.randomUUID().toString();
      expected.put(id, "v1 " + i);
      first.add(ColdReleases.Row.of(id, bytes("v1 " + i)));
    }
    first.sort(null);
    ColdReleases one =
        ColdReleases.Builder.merge(dir.resolve("1"), null, first.iterator(), bytes("meta 1"));

    // the second file: every third release changed, 300 new ones
    List<ColdReleases.Row> changes = new ArrayList<>();
    int n = 0;
    for (String id : new ArrayList<>(expected.keySet())) {
      if (n++ % 3 == 0) {
        expected.put(id, "v2 " + id);
        changes.add(ColdReleases.Row.of(id, bytes("v2 " + id)));
      }
    }
    for (int i = 0; i < 300; i++) {
      String id = UUID.randomUUID().toString();
      expected.put(id, "new " + i);
      changes.add(ColdReleases.Row.of(id, bytes("new " + i)));
    }
    changes.sort(null);
    ColdReleases two =
        ColdReleases.Builder.merge(dir.resolve("2"), one, changes.iterator(), bytes("meta 2"));
    one.close();

    assertThat(two.size()).isEqualTo(1300);
    assertThat(new String(two.meta(), StandardCharsets.UTF_8)).isEqualTo("meta 2");
    expected.forEach(
        (id, value) ->
            assertThat(new String(two.get(id), StandardCharsets.UTF_8)).isEqualTo(value));
    for (int i = 0; i < 100; i++) {
      String absent = UUID.randomUUID().toString();
      assertThat(two.get(absent)).isNull();
    }
    // in order, each once
    ColdReleases.Row previous = null;
    int rows = 0;
    for (Iterator<ColdReleases.Row> it = two.rows(); it.hasNext(); ) {
      ColdReleases.Row r = it.next();
      if (previous != null) {
        assertThat(previous.compareTo(r)).isNegative();
      }
      previous = r;
      rows++;
    }
    assertThat(rows).isEqualTo(1300);

    // reopened from disk (as a downloaded snapshot is): the same
    two.close();
    try (ColdReleases again = ColdReleases.open(dir.resolve("2"))) {
      expected.forEach(
          (id, value) ->
              assertThat(new String(again.get(id), StandardCharsets.UTF_8)).isEqualTo(value));
    }
  }

  @Test
  void givenAnEmptyMerge_thenTheFileHoldsNoReleaseButItsMeta() throws Exception {
    try (ColdReleases empty =
        ColdReleases.Builder.merge(
            dir.resolve("e"), null, List.<ColdReleases.Row>of().iterator(), bytes("m"))) {
      assertThat(empty.size()).isZero();
      assertThat(empty.get("x")).isNull();
      assertThat(empty.meta()).isEqualTo(bytes("m"));
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
