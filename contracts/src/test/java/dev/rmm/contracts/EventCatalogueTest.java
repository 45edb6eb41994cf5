package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/events.md cannot drift from the contract: every type and field, and nothing else. */
class EventCatalogueTest {

  private static final Pattern ROW =
      Pattern.compile("^\\| `(release\\.[a-z-]+\\.v[0-9]+)` \\|(.*)$");

  private final String catalogue = read(Path.of("../docs/events.md"));

  @Test
  void everyEventTypeIsDescribedWithEveryFieldOfItsGoldenExample() throws IOException {
    Set<String> documented = new TreeSet<>();
    for (String line : catalogue.lines().toList()) {
      Matcher m = ROW.matcher(line);
      if (m.matches() && EventCodec.types().containsKey(m.group(1))) {
        documented.add(m.group(1));
        JsonNode golden =
            EventCodec.mapper()
                .readTree(Path.of("src/test/resources/golden/" + m.group(1) + ".json").toFile());
        golden
            .path("data")
            .fieldNames()
            .forEachRemaining(
                f ->
                    assertThat(m.group(2))
                        .as(m.group(1) + " documents " + f)
                        .contains("`" + f + "`"));
      }
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(EventCodec.types().keySet());
  }

  @Test
  void everyCommandTypeIsDescribedAndNoOtherType() {
    Set<String> rows = new TreeSet<>();
    catalogue.lines().map(ROW::matcher).filter(Matcher::matches).forEach(m -> rows.add(m.group(1)));
    Set<String> known = new TreeSet<>(EventCodec.types().keySet());
    known.addAll(CommandCodec.types().keySet());
    assertThat(rows).containsExactlyInAnyOrderElementsOf(known);
  }

  @Test
  void everyCommandTypeIsDescribedWithEveryFieldOfItsGoldenExample() throws IOException {
    Set<String> envelope =
        Set.of(
            "command_id",
            "release_id",
            "actor",
            "type",
            "repository_scope",
            "correlation_id",
            "traceparent",
            "deadline_ms");
    assertThat(envelope)
        .allSatisfy(
            f ->
                assertThat(commandsSection())
                    .as("commands section documents " + f)
                    .contains("`" + f + "`"));
    Set<String> documented = new TreeSet<>();
    for (String line : catalogue.lines().toList()) {
      Matcher m = ROW.matcher(line);
      if (m.matches() && CommandCodec.types().containsKey(m.group(1))) {
        documented.add(m.group(1));
        JsonNode golden =
            EventCodec.mapper()
                .readTree(
                    Path.of("src/test/resources/golden-commands/full/" + m.group(1) + ".json")
                        .toFile());
        golden
            .fieldNames()
            .forEachRemaining(
                f -> {
                  if (!envelope.contains(f)) {
                    assertThat(m.group(2))
                        .as(m.group(1) + " documents " + f)
                        .contains("`" + f + "`");
                  }
                });
      }
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(CommandCodec.types().keySet());
  }

  /** The text of the commands section, where the envelope's fields are described. */
  private String commandsSection() {
    int start = catalogue.indexOf("## Commands");
    int end = catalogue.indexOf("\n## ", start + 1);
    return catalogue.substring(start, end < 0 ? catalogue.length() : end);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + p.toAbsolutePath(), e);
    }
  }
}
