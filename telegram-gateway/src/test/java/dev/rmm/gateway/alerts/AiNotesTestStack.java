package dev.rmm.gateway.alerts;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link AlertsTestStack} with AI notes on: the fake chat-completions API with a key, a model name,
 * a token limit and a 3 s timeout.
 */
public class AiNotesTestStack extends AlertsTestStack {

  static final String KEY = "sk-test-0123456789abcdefghijklmnop";
  static final String MODEL = "fake-model";
  static final int MAX_TOKENS = 123;

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(super.start());
    config.put("rmm.ai.api-key", KEY);
    config.put("rmm.ai.model", MODEL);
    config.put("rmm.ai.max-tokens", Integer.toString(MAX_TOKENS));
    config.put("rmm.ai.timeout", "3s");
    return config;
  }
}
