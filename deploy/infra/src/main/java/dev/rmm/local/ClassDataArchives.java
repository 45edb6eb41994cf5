package dev.rmm.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * One AppCDS archive per service for the local stack (issue 12, start time ≤ 3 s): a service's
 * first start records the classes it loaded into an archive when it exits ({@code
 * -XX:ArchiveClassesAtExit}, JDK 13+), and every later start maps them from it ({@code
 * -XX:SharedArchiveFile}) instead of loading, verifying and linking them again. Measured with one
 * service started alone beside a running stack (docs/benchmarks.md, "Start time"): release-api
 * ready after 4.5-4.9 s without, 2.5-2.9 s with; the other three 2.1-2.8 s without, 1.5-1.9 s with.
 *
 * <p>An archive belongs to one build on one JVM: its name carries a digest of the JVM (its home and
 * version) and of every file of the service's {@code quarkus-app} (path, size, modification time),
 * so a rebuild or a JDK update starts a new recording and the old archive is removed (the JVM would
 * silently ignore an archive another build of it wrote, for good). The JVM writes the archive while
 * it exits, which a SIGKILL can cut short, so it writes to a {@code .part} file that becomes the
 * archive only after the service ended by itself ({@link #exited}). A JVM that cannot use an
 * archive (another JDK) runs without it, as {@code -Xshare:auto} (the default) does. Operators who
 * set class sharing options of their own in {@code RMM_JVM_OPTIONS} keep them and get none from
 * here.
 */
final class ClassDataArchives {

  /** No archives (the build's test stacks: each starts once, and the dump would slow its stop). */
  static final ClassDataArchives NONE = new ClassDataArchives(null);

  /**
   * The JVM's notes on classes it cannot archive (a thousand lines per service) stay out of logs.
   */
  private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

  private final Path dir;

  /**
   * @param dir where the archives are kept (the local stack's data directory); null for none
   */
  ClassDataArchives(Path dir) {
    this.dir = dir;
  }

  /**
   * The JVM options that use the service's archive, or record it if there is none for this build
   * yet; none when {@code userOptions} already choose class sharing.
   */
  List<String> options(RmmService service, Path runnerJar, List<String> userOptions) {
    if (dir == null || choosesSharing(userOptions)) {
      return List.of();
    }
    Path archive = archive(service, runnerJar);
    removeOthers(service, archive);
    String option =
        Files.isRegularFile(archive)
            ? "-XX:SharedArchiveFile=" + archive
            : "-XX:ArchiveClassesAtExit=" + part(archive);
    return Stream.concat(Stream.of(option), QUIET.stream()).toList();
  }

  /**
   * After the service's process ended: a recording it finished (it ended by itself) becomes the
   * archive; one that a kill may have cut short is thrown away.
   */
  void exited(RmmService service, Path runnerJar, boolean endedByItself) {
    if (dir == null) {
      return;
    }
    Path archive = archive(service, runnerJar);
    Path part = part(archive);
    try {
      if (endedByItself && Files.isRegularFile(part)) {
        Files.move(part, archive, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(part);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not keep the class data archive " + archive, e);
    }
  }

  static boolean choosesSharing(List<String> userOptions) {
    return userOptions.stream()
        .anyMatch(
            o ->
                o.startsWith("-Xshare")
                    || o.startsWith("-XX:SharedArchiveFile")
                    || o.startsWith("-XX:ArchiveClassesAtExit"));
  }

  /** {@code <dir>/<module>-<digest of the build>.jsa}. */
  Path archive(RmmService service, Path runnerJar) {
    return dir.resolve(service.module() + "-" + digest(runnerJar.getParent()) + ".jsa");
  }

  private static Path part(Path archive) {
    return archive.resolveSibling(archive.getFileName() + ".part");
  }

  /** Removes the service's archives and recordings of other builds. */
  private void removeOthers(RmmService service, Path keep) {
    try {
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          String name = f.getFileName().toString();
          if (name.startsWith(service.module() + "-") && !f.equals(keep) && !f.equals(part(keep))) {
            Files.deleteIfExists(f);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare the class data archives in " + dir, e);
    }
  }

  /**
   * A digest of the JVM the services run on and of every file below {@code app}: its path, size and
   * modification time.
   */
  private static String digest(Path app) {
    try (Stream<Path> files = Files.walk(app)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      // the services run on this JVM (ServiceProcess); an archive of another build of it is refused
      sha.update(
          (System.getProperty("java.home") + "|" + System.getProperty("java.vm.version"))
              .getBytes(StandardCharsets.UTF_8));
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        sha.update(app.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
        sha.update(
            ByteBuffer.allocate(16)
                .putLong(Files.size(f))
                .putLong(Files.getLastModifiedTime(f).toMillis())
                .array());
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the build in " + app, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
