package dev.rmm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack's class data archives (issue 12, start time): recorded by a service's first run
 * when it stops, mapped by its later starts, renewed by a rebuild, and never kept half-written. Run
 * with a real JVM on a small jar laid out like a Quarkus build ({@code quarkus-app/quarkus-run
 * .jar}); whether a started JVM maps the archive is read from its {@code /proc/<pid>/maps}.
 */
class ClassDataArchivesTest {

  @TempDir Path tmp;

  @Test
  void givenAFirstStart_whenTheServiceStopsByItself_thenItsArchiveIsKeptAndTheNextStartMapsIt()
      throws Exception {
    Path jar = runnerJar();
    ClassDataArchives archives = new ClassDataArchives(tmp.resolve("cds"));
    Path archive = archives.archive(RmmService.DEPLOY_ORCHESTRATOR, jar);

    ServiceProcess first = started(jar, archives, "first.log");
    assertThat(archive).doesNotExist();
    first.stop();

    assertThat(archive).isRegularFile();
    assertThat(Files.size(archive)).isGreaterThan(0);
    ServiceProcess second = started(jar, archives, "second.log");
    assertThat(mapsOf(jar)).contains(archive.toString());
    second.stop();
    assertThat(Files.readString(tmp.resolve("second.log"))).doesNotContain("[cds]");
  }

  @Test
  void givenARecordingRun_whenTheServiceIsKilled_thenNoArchiveIsKeptAndTheNextStartRecordsAgain()
      throws Exception {
    Path jar = runnerJar();
    ClassDataArchives archives = new ClassDataArchives(tmp.resolve("cds"));
    Path archive = archives.archive(RmmService.DEPLOY_ORCHESTRATOR, jar);
    ServiceProcess crashed = started(jar, archives, "crashed.log");

    crashed.kill();

    assertThat(archive).doesNotExist();
    assertThat(tmp.resolve("cds")).isEmptyDirectory();
    assertThat(archives.options(RmmService.DEPLOY_ORCHESTRATOR, jar, List.of()))
        .first()
        .asString()
        .startsWith("-XX:ArchiveClassesAtExit=");
  }

  @Test
  void givenAnArchive_whenTheServiceIsRebuilt_thenANewOneIsRecordedAndTheOldOneRemoved()
      throws Exception {
    Path jar = runnerJar();
    ClassDataArchives archives = new ClassDataArchives(tmp.resolve("cds"));
    Path old = archives.archive(RmmService.DEPLOY_ORCHESTRATOR, jar);
    Files.createDirectories(old.getParent());
    Files.write(old, new byte[] {1});
    assertThat(archives.options(RmmService.DEPLOY_ORCHESTRATOR, jar, List.of()))
        .first()
        .isEqualTo("-XX:SharedArchiveFile=" + old);

    Files.setLastModifiedTime(
        jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5000));

    Path rebuilt = archives.archive(RmmService.DEPLOY_ORCHESTRATOR, jar);
    assertThat(rebuilt).isNotEqualTo(old);
    assertThat(archives.options(RmmService.DEPLOY_ORCHESTRATOR, jar, List.of()))
        .first()
        .isEqualTo("-XX:ArchiveClassesAtExit=" + rebuilt + ".part");
    assertThat(old).doesNotExist();
  }

  @Test
  void givenTheOperatorsOwnSharingOptions_thenNoneAreAdded() throws Exception {
    Path jar = runnerJar();
    ClassDataArchives archives = new ClassDataArchives(tmp.resolve("cds"));

    assertThat(archives.options(RmmService.RELEASE_API, jar, List.of("-Xmx1g", "-Xshare:off")))
        .isEmpty();
    assertThat(
            archives.options(
                RmmService.RELEASE_API, jar, List.of("-XX:SharedArchiveFile=/opt/app.jsa")))
        .isEmpty();
    assertThat(ClassDataArchives.NONE.options(RmmService.RELEASE_API, jar, List.of())).isEmpty();
  }

  /** The small jar started as a service with {@code archives}, once it says it is up. */
  private ServiceProcess started(Path jar, ClassDataArchives archives, String log) {
    ServiceProcess p =
        new ServiceProcess(
            RmmService.DEPLOY_ORCHESTRATOR,
            jar,
            1,
            Map.of(),
            List.of("-Xmx64m"),
            tmp.resolve(log),
            archives);
    p.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.readString(p.logFile()).contains("UP-AND-RUNNING"));
    return p;
  }

  /** The memory map of the running child started from {@code jar}. */
  private static String mapsOf(Path jar) throws IOException {
    ProcessHandle child =
        ProcessHandle.current()
            .children()
            .filter(
                h ->
                    h.info()
                        .arguments()
                        .map(a -> List.of(a).contains(jar.toString()))
                        .orElse(false))
            .findFirst()
            .orElseThrow();
    return Files.readString(Path.of("/proc", String.valueOf(child.pid()), "maps"));
  }

  /**
   * {@code <tmp>/app/quarkus-app/quarkus-run.jar} whose main prints that it is up and sleeps until
   * the JVM is told to stop.
   */
  private Path runnerJar() throws IOException {
    Path src = tmp.resolve("src/Up.java");
    Files.createDirectories(src.getParent());
    Files.writeString(
        src,
        "public class Up { public static void main(String[] a) throws Exception {"
            + " System.out.println(\"UP-AND-RUNNING\"); System.out.flush(); Thread.sleep(Long.MAX_VALUE); } }");
    Path classes = tmp.resolve("classes");
    Files.createDirectories(classes);
    int compiled =
        ToolProvider.getSystemJavaCompiler()
            .run(null, null, null, "-d", classes.toString(), src.toString());
    assertThat(compiled).isZero();
    Path jar = tmp.resolve("app/quarkus-app/quarkus-run.jar");
    Files.createDirectories(jar.getParent());
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Up");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out, manifest)) {
      j.putNextEntry(new JarEntry("Up.class"));
      j.write(Files.readAllBytes(classes.resolve("Up.class")));
      j.closeEntry();
    }
    return jar;
  }
}
