package dev.rmm.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where {@code deploy/compose.yaml} and its configuration files are, and the four rmm services it
 * builds, for {@link ComposeFileTest} and {@link ComposeStackSmokeTest}.
 */
final class ComposeProject {

  /** The four services of the compose file and their HTTP ports (as in LocalStack). */
  static final Map<String, Integer> SERVICE_PORTS =
      Map.of(
          "release-api", 8081,
          "release-projector", 8082,
          "telegram-gateway", 8083,
          "deploy-orchestrator", 8084);

  private static final YAMLMapper YAML = new YAMLMapper();

  private ComposeProject() {}

  /** The repository root: the first directory upwards that holds deploy/compose.yaml. */
  static Path root() {
    Path dir =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("deploy/compose.yaml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(
          "no deploy/compose.yaml above " + System.getProperty("user.dir"));
    }
    return dir;
  }

  static Path deployDir() {
    return root().resolve("deploy");
  }

  static Path composeFile() {
    return deployDir().resolve("compose.yaml");
  }

  /** A YAML (or JSON) file as a tree. */
  static JsonNode readYaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file, e);
    }
  }
}
