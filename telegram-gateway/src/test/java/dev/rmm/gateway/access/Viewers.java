package dev.rmm.gateway.access;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Lets the Telegram users of a test see releases as configured viewers ({@code
 * rmm.telegram.viewers}), for tests about something else than who may see:
 * {@code @WithTestResource(value = Viewers.class, initArgs = @ResourceArg(name = "ids", value =
 * "4201,4202"))}.
 */
public class Viewers implements QuarkusTestResourceLifecycleManager {

  private String ids = "";

  @Override
  public void init(Map<String, String> initArgs) {
    ids = initArgs.getOrDefault("ids", "");
  }

  @Override
  public Map<String, String> start() {
    return Map.of("rmm.telegram.viewers", ids);
  }

  @Override
  public void stop() {}
}
