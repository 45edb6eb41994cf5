package dev.rmm.api.fuzz;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.BILLING;
import static dev.rmm.api.support.Api.BILLING_REPO;
import static dev.rmm.api.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.api.support.ReleaseLog;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sends the fuzz corpora to the real server: the seeds, and up to {@value #GENERATED} of the inputs
 * Jazzer kept in {@code .cifuzz-corpus/} after a {@code deploy/fuzz/run}. The in-process harness
 * cannot see what lies between the socket and the resource (Vert.x, RESTEasy, the exception
 * mappers); here every answer must be below 500 and an error must be problem+json, and a request
 * refused as malformed (400, 411, 413, 415, 422) must not grow the events topic.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class FuzzCorpusOverHttpTest {

  private static final int GENERATED = 40;
  private static final Set<Integer> MALFORMED = Set.of(400, 411, 413, 415, 422);
  private static final Path SEEDS = Path.of("src/test/resources/dev/rmm/api/fuzz");
  private static final Path FOUND = Path.of(".cifuzz-corpus/dev.rmm.api.fuzz.HttpBodyFuzzTest");

  @Inject Pool pg;

  private ReleaseLog log;
  private ReadModelStandIn readModel;
  private String releaseId;

  @BeforeEach
  void setUp() {
    Api.awaitReady();
    // a rollback request looks its targets up in the read model; without one it is a 503
    readModel = new ReadModelStandIn(pg);
    readModel.create();
    log = new ReleaseLog();
    releaseId = Api.releaseInManualTesting(BILLING_REPO);
  }

  @AfterEach
  void tearDown() {
    readModel.drop();
    log.close();
  }

  @Test
  void givenTheCreateCorpus_whenPosted_thenNoServerErrorAndMalformedBodiesWriteNothing() {
    replay("createBody", (spec, body) -> spec.body(body).post("/api/v1/releases"), BILLING);
  }

  @Test
  void givenTheStepCorpus_whenPosted_thenNoServerErrorAndMalformedBodiesWriteNothing() {
    replay(
        "stepBody",
        (spec, body) -> spec.body(body).post("/api/v1/releases/{id}/steps", releaseId),
        BILLING);
  }

  @Test
  void givenTheActionCorpus_whenSentToEachAdminAction_thenNoServerError() {
    for (String action : List.of("approvals", "rejections", "rollback", "cancel")) {
      replay(
          "actionBodies",
          (spec, body) -> spec.body(body).post("/api/v1/releases/{id}/" + action, releaseId),
          ADMIN);
    }
  }

  @Test
  void givenTheLegacyCorpus_whenPostedAndPatched_thenNoServerError() {
    replay("legacyBody", (spec, body) -> spec.body(body).post("/release"), BILLING);
    replay("legacyBody", (spec, body) -> spec.body(body).patch("/release"), BILLING);
  }

  private void replay(
      String target, BiFunction<RequestSpecification, byte[], Response> send, String token) {
    List<Path> inputs = inputs(target);
    assertThat(inputs).as("corpus of %s", target).isNotEmpty();
    for (Path input : inputs) {
      byte[] body = read(input);
      Map<Integer, Long> before = log.endOffsets();
      Response r = send.apply(as(token), body);
      assertThat(r.statusCode()).as("answer to %s: %s", input, r.asString()).isLessThan(500);
      if (r.statusCode() >= 400) {
        assertThat(r.contentType()).as("answer to %s", input).startsWith(Api.PROBLEM_JSON);
      }
      if (MALFORMED.contains(r.statusCode())) {
        assertThat(log.endOffsets()).as("events after %s", input).isEqualTo(before);
      }
    }
  }

  private static List<Path> inputs(String target) {
    List<Path> out =
        new ArrayList<>(files(SEEDS.resolve("HttpBodyFuzzTestInputs").resolve(target)));
    files(FOUND.resolve(target)).stream().limit(GENERATED).forEach(out::add);
    return out;
  }

  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
