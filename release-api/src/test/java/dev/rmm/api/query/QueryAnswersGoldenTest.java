package dev.rmm.api.query;

import static dev.rmm.api.support.Api.ADMIN;
import static dev.rmm.api.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.support.Api;
import dev.rmm.api.support.ReadModelStandIn;
import dev.rmm.contracts.EventCodec;
import dev.rmm.testsupport.KafkaTestResource;
import dev.rmm.testsupport.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The query API's answers are a public contract: each answer for a fixed read model ({@code
 * golden/query/fixture.sql}) is pinned byte for byte in a golden file. The files were recorded from
 * the answers as Postgres built them ({@code to_jsonb} of the row), before the answers became typed
 * views; a change that breaks one of these tests changes what clients read. Run with {@code
 * -Dgolden.write=true} to record the files again (then review the diff).
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
@WithTestResource(value = PostgresTestResource.class, parallel = true)
class QueryAnswersGoldenTest {

  private static final String FOLDER = "golden/query/";
  private static final boolean WRITE = Boolean.getBoolean("golden.write");

  @Inject Pool pg;

  private ReadModelStandIn readModel;

  static Stream<Arguments> everyQuery() {
    String releases = "/api/v1/releases";
    return Stream.of(
        Arguments.of("list-active-page-1", releases + "?service=golden-pay&size=2"),
        Arguments.of("list-active-page-2", releases + "?service=golden-pay&size=2&page=2"),
        Arguments.of("list-active-every-service", releases),
        Arguments.of("list-active-past-the-end", releases + "?page=9&size=5"),
        Arguments.of("list-successful", releases + "?outcome=successful"),
        Arguments.of("list-failed", releases + "?outcome=failed&service=golden-pay"),
        Arguments.of("list-cancelled", releases + "?outcome=cancelled"),
        Arguments.of("release-deployed", releases + "/gold-1"),
        Arguments.of("release-rolled-back", releases + "/gold-2"),
        Arguments.of("release-approvals-voided", releases + "/gold-3"),
        Arguments.of("release-rejected", releases + "/gold-4"),
        Arguments.of("release-superseded", releases + "/gold-5"),
        Arguments.of("release-dispatch-retried", releases + "/gold-6"),
        Arguments.of("release-dispatch-failed", releases + "/gold-7"),
        Arguments.of("release-initiated", releases + "/gold-8?min_version=1"),
        Arguments.of("timeline", releases + "/gold-1/timeline"),
        Arguments.of("timeline-one-event", releases + "/gold-2/timeline?min_version=1"),
        Arguments.of("rollback-targets", releases + "/gold-2/rollback-targets"),
        Arguments.of("rollback-targets-before-deploy", releases + "/gold-3/rollback-targets"),
        Arguments.of("rollback-targets-none", releases + "/gold-8/rollback-targets"),
        Arguments.of("deployed-tags", "/api/v1/services/golden-pay/deployed-tags"),
        Arguments.of("deployed-tags-none", "/api/v1/services/golden-web/deployed-tags"));
  }

  @BeforeEach
  void givenAFixedReadModel() throws IOException {
    Api.awaitReady();
    readModel = new ReadModelStandIn(pg);
    readModel.create();
    pg.query(resource("fixture.sql")).execute().await().atMost(Duration.ofSeconds(30));
  }

  @AfterEach
  void tearDown() {
    readModel.drop(); // the other tests run without a read model
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("everyQuery")
  void givenTheFixedReadModel_whenQueried_thenTheAnswerIsTheGoldenFileByteForByte(
      String name, String path) throws IOException {
    Response r = as(ADMIN).get(path);

    assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    String body = r.asString();
    if (WRITE) {
      record(name, body);
    }
    JsonNode golden = EventCodec.mapper().readTree(resource(name + ".json"));
    // the same fields in the same order and number formats, once the file's indentation is removed
    assertThat(body).isEqualTo(EventCodec.mapper().writeValueAsString(golden));
  }

  private static String resource(String file) throws IOException {
    try (InputStream in =
        QueryAnswersGoldenTest.class.getClassLoader().getResourceAsStream(FOLDER + file)) {
      assertThat(in).as("golden file " + FOLDER + file).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Writes the answer, indented, to the source folder (and the test classpath) as its golden file.
   */
  private static void record(String name, String body) {
    try {
      String pretty =
          EventCodec.mapper()
                  .writerWithDefaultPrettyPrinter()
                  .writeValueAsString(EventCodec.mapper().readTree(body))
              + "\n";
      for (String root : new String[] {"src/test/resources/", "target/test-classes/"}) {
        Path file = Path.of(root + FOLDER + name + ".json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, pretty);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
