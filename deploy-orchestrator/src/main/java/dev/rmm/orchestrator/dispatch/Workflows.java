package dev.rmm.orchestrator.dispatch;

import dev.rmm.orchestrator.github.GitHubClient;
import dev.rmm.orchestrator.github.GitHubTarget;
import dev.rmm.orchestrator.github.RunLookup;
import java.util.Map;

/**
 * The two things {@link Dispatches} asks GitHub: run a production workflow, and whether a run
 * carrying a dispatch id exists. {@link GitHubClient} answers them over HTTP; the interface lets a
 * unit test answer them in memory.
 */
public interface Workflows {

  /** Dispatches the workflow with these inputs ({@code dispatch_id} among them). */
  GitHubClient.Outcome dispatch(GitHubTarget target, Map<String, String> inputs);

  /** Looks for the workflow run whose title carries {@code marker}, for a while. */
  RunLookup settle(GitHubTarget target, String marker);
}
