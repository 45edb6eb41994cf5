package dev.rmm.projector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.ReleaseStatus;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The columns of {@code releases} are listed once ({@link ReleaseColumns}): the SQL's column list,
 * the array types and a row's values all come from that list, one entry per column.
 */
class ReleaseColumnsTest {

  @Test
  void givenTheColumnList_thenEachColumnIsNamedOnceWithItsType() {
    List<String> names = Arrays.stream(ReleaseRow.COLUMNS.split(", ")).toList();

    assertThat(names).doesNotHaveDuplicates().hasSize(ReleaseColumns.ALL.size());
    assertThat(ReleaseRow.TYPES).hasSize(names.size());
    assertThat(names)
        .startsWith("release_id", "service_name", "release_tag")
        .contains("approved_list", "break_glass", "role_quorum", "initiator_login");
  }

  @Test
  void givenARow_thenItGivesOneValuePerColumnInTheListsOrder() {
    ReleaseRow row = new ReleaseRow();
    row.releaseId = "r-1";
    row.service = "billing";
    row.status = ReleaseStatus.MANUAL_TESTING;
    row.quorum = 2;
    row.version = 7;

    List<Object> values = row.values();

    assertThat(values).hasSize(ReleaseColumns.ALL.size());
    List<String> names = Arrays.stream(ReleaseRow.COLUMNS.split(", ")).toList();
    assertThat(values.get(names.indexOf("release_id"))).isEqualTo("r-1");
    assertThat(values.get(names.indexOf("status"))).isEqualTo("manual_testing");
    assertThat(values.get(names.indexOf("outcome"))).isEqualTo("active");
    assertThat(values.get(names.indexOf("quorum"))).isEqualTo(2);
    assertThat(values.get(names.indexOf("version"))).isEqualTo(7L);
    assertThat(values.get(names.indexOf("approved_list"))).isEqualTo("[]");
  }
}
