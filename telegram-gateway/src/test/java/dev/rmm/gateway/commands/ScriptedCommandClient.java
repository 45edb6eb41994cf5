package dev.rmm.gateway.commands;

import dev.rmm.contracts.CommandResult;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.gateway.GatewayConfig;
import jakarta.enterprise.inject.Vetoed;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * release-api as a unit test scripts it: the commands sent, in order, and the answers to give;
 * without a scripted answer a command gets none (as when release-api is down). Vetoed: the
 * {@code @QuarkusTest} classes use the real client and a real broker.
 */
@Vetoed
public class ScriptedCommandClient extends CommandClient {

  private final List<ReleaseCommand> sent = new ArrayList<>();
  private final Deque<CommandResult> answers = new ArrayDeque<>();

  public ScriptedCommandClient(GatewayConfig config) {
    super("unused:9092", config);
  }

  /** The answer to the next command. */
  public void willAnswer(CommandResult result) {
    answers.add(result);
  }

  public List<ReleaseCommand> sent() {
    return List.copyOf(sent);
  }

  @Override
  public CommandResult decide(String commandId, ReleaseCommand command, Duration timeout)
      throws NoAnswerException {
    sent.add(command);
    CommandResult answer = answers.poll();
    if (answer == null) {
      throw new NoAnswerException("no answer scripted for " + commandId, null);
    }
    return answer;
  }
}
