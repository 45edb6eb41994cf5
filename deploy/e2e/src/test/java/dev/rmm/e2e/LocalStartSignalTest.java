package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rmm.local.LocalKafka;
import dev.rmm.local.LocalPostgres;
import dev.rmm.local.LocalRedis;
import dev.rmm.local.LocalStack;
import dev.rmm.local.Ports;
import dev.rmm.local.RmmService;
import dev.rmm.local.RmmStack;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code deploy/local/start} stops everything on SIGINT and SIGTERM sent to the script, also when
 * it was started in the background by a shell without job control: such a shell starts its
 * background jobs with SIGINT ignored (and nohup ignores SIGHUP), which is how the script is
 * started here. Afterwards no process of the stack is left and none of its ports is still
 * listening.
 */
class LocalStartSignalTest {

  @TempDir Path home;

  @ParameterizedTest
  @ValueSource(strings = {"INT", "TERM"})
  void givenTheStackStartedInTheBackground_whenTheScriptGetsTheSignal_thenEverythingStops(
      String signal) throws Exception {
    Path root = StackExtension.repositoryRoot();
    RmmStack.requireBuilt(root, "run ./mvnw install first (./mvnw -B install -DskipTests)");
    Map<String, String> ports = freePorts();
    Path output = home.resolve("start.out");
    ProcessBuilder builder =
        new ProcessBuilder("bash", "-c", "trap '' INT QUIT HUP; exec deploy/local/start --no-build")
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().putAll(LocalStack.isolatedEnvironment(StackExtension.API_TOKEN));
    builder.environment().putAll(ports);
    builder.environment().put(LocalStack.HOME_VARIABLE, home.resolve("rmm").toString());
    // the services' JVMs as StackExtension runs them (C1 only: they start about a third faster);
    // what is tried here is the script's and the stack's handling of the signal, not their speed;
    // -Xshare:auto (the JVM's default) is an option of their own about class data sharing, so the
    // launcher does not have them record archives at the stop (ClassDataArchivesTest tries that)
    builder
        .environment()
        .put("RMM_JVM_OPTIONS", String.join(" ", StackExtension.JVM_OPTIONS) + " -Xshare:auto");
    Process script = builder.start();
    try {
      await()
          .atMost(Duration.ofSeconds(180))
          .until(() -> !script.isAlive() || Files.readString(output).contains("stack is up"));
      assertThat(script.isAlive()).as(Files.readString(output)).isTrue();
      // the launcher's JVM, Redis and the four services
      List<ProcessHandle> stack = script.toHandle().descendants().toList();
      assertThat(stack).hasSizeGreaterThanOrEqualTo(6);

      send(signal, script.pid());

      assertThat(script.waitFor(90, TimeUnit.SECONDS)).as(Files.readString(output)).isTrue();
      assertThat(script.exitValue()).as(Files.readString(output)).isZero();
      assertThat(Files.readString(output)).contains("rmm local stack: stopped");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> stack.stream().noneMatch(ProcessHandle::isAlive));
      List<String> stillListening = new ArrayList<>();
      ports.forEach(
          (variable, port) -> {
            if (listening(Integer.parseInt(port))) {
              stillListening.add(variable + "=" + port);
            }
          });
      assertThat(stillListening).as("ports still in use after the stop").isEmpty();
    } finally {
      script.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      script.destroyForcibly();
    }
  }

  private static Map<String, String> freePorts() {
    Map<String, String> ports = new LinkedHashMap<>();
    ports.put(LocalKafka.PORT_VARIABLE, String.valueOf(Ports.free()));
    ports.put(LocalPostgres.PORT_VARIABLE, String.valueOf(Ports.free()));
    ports.put(LocalRedis.PORT_VARIABLE, String.valueOf(Ports.free()));
    for (RmmService service : RmmService.values()) {
      ports.put(service.portVariable(), String.valueOf(Ports.free()));
    }
    return ports;
  }

  private static void send(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      return true; // no clear refusal: count it as in use
    }
  }
}
