package dev.rmm.orchestrator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.rmm.testsupport.KafkaTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The orchestrator starts against a real broker of its own (never the local stack's 9092). */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, parallel = true)
class OrchestratorHealthTest {

  @Test
  void givenABroker_whenTheOrchestratorStarts_thenItReportsHealthy() {
    given().when().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
  }
}
