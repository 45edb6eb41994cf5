package dev.rmm.api.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request bodies are read strictly: a body is exactly one JSON value ({@code {"status":
 * "deploying"} xyz} is refused, not read as its first value), and a field given twice is refused
 * rather than the last one silently winning. Either answers 400 problem+json (see {@link
 * dev.rmm.api.problem.ProblemMappers}). Snake case and unknown fields as errors are set in
 * application.properties ({@code quarkus.jackson.*}).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

  @Override
  public void customize(ObjectMapper mapper) {
    strict(mapper);
  }

  /** The strict reading every request body gets; also used by the fuzz tests' mapper. */
  public static ObjectMapper strict(ObjectMapper mapper) {
    return mapper
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }
}
