package dev.rmm.orchestrator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Configuration of deploy-orchestrator. Tokens come only from the environment. */
@ConfigMapping(prefix = "rmm")
public interface OrchestratorConfig {

  Topics topics();

  GitHub github();

  Deploy deploy();

  /** The Kafka topics shared with release-api. */
  interface Topics {
    @WithDefault("rmm.release-events")
    String events();

    /** Commands to release-api: the orchestrator's own commands topic. */
    @WithDefault("rmm.orchestrator-commands")
    String commands();

    @WithDefault("rmm.release-command-results")
    String results();

    /** Where failures of the orchestrator are reported, for the gateway's alerts chat. */
    @WithDefault("rmm.alerts")
    String alerts();

    /**
     * The policy in force, as events written by release-api: its freeze windows decide at dispatch
     * time whether an approved release is held (issue 15 point 5).
     */
    @WithDefault("rmm.release-policies")
    String policies();
  }

  /** The GitHub REST API. */
  interface GitHub {
    /** GitHub's API, or a GitHub Enterprise Server's ({@code https://HOST/api/v3}). */
    @WithDefault("https://api.github.com")
    String apiUrl();

    /**
     * The default token (GITHUB_TOKEN): a fine-grained token with "Actions: write" on the services'
     * repositories. A service may name its own variable in the deploy file.
     */
    Optional<String> token();

    /**
     * A GitHub App instead of a token (with {@link #appInstallationId()} and {@link
     * #appPrivateKey()}): the App's id.
     */
    Optional<String> appId();

    /** The App's installation on the services' organisation. */
    Optional<Long> appInstallationId();

    /** The App's private key, PEM (GITHUB_APP_PRIVATE_KEY). */
    Optional<String> appPrivateKey();

    /** GitHub refuses requests without a User-Agent. */
    @WithDefault("rmm-deploy-orchestrator")
    String userAgent();

    /** Attempts of one dispatch through 5xx, 429 and network errors before it is a failure. */
    @WithDefault("6")
    int maxAttempts();

    /** The first pause between attempts; it doubles up to {@link #maxBackoff()}. */
    @WithDefault("1s")
    Duration firstBackoff();

    @WithDefault("60s")
    Duration maxBackoff();

    /**
     * How long a dispatch, and the lookup of its run after a 5xx or a lost answer, keep being
     * retried through 5xx, 429 and network errors at the least, even past {@link #maxAttempts()}
     * (RMM_GITHUB_RETRY_FOR): an outage of GitHub shorter than this delays the deploy instead of
     * failing it for a person to check.
     */
    @WithDefault("10m")
    Duration retryFor();

    /**
     * After a restart, how long to look for the workflow run of a dispatch whose outcome was not
     * recorded before dispatching it again (GitHub lists a new run within seconds).
     */
    @WithDefault("30s")
    Duration runLookup();

    /** How long one HTTP request to GitHub may take. */
    @WithDefault("30s")
    Duration requestTimeout();
  }

  /** What to deploy where, per service. */
  interface Deploy {
    /**
     * A JSON file of per-service settings (RMM_DEPLOY_FILE); without it every service uses the
     * defaults: its own repository, {@link #defaultWorkflow()}, at the release's tag.
     */
    Optional<Path> file();

    /** The production workflow file in the service's repository. */
    @WithDefault("on-approve-manual-testing.yml")
    String defaultWorkflow();

    /** How long to wait for release-api's answer to a command. */
    @WithDefault("30s")
    Duration commandTimeout();

    /** How often releases whose dispatch is still due are looked at again. */
    @WithDefault("15s")
    Duration recheck();

    /**
     * How long a running runbook's hold on its partition lasts without word from the group's
     * coordinator (renewed every third of it); a new owner of the partition waits twice this long
     * before it declares a runbook it found unfinished interrupted, which keeps each step at most
     * once whatever the session timeout. Longer than a coordinator's failover (about 10 s when a
     * broker dies, docs/reliability.md F9), so that a failover does not stop a running step.
     */
    @WithDefault("20s")
    Duration runbookLease();

    /**
     * How long a graceful stop (SIGTERM, a rolling restart) waits for the rollback runbooks running
     * here to stop their step on the host, record it ("interrupted by the shutdown", exit code
     * unknown, its duration and output tail) and end the runbook, before this instance leaves the
     * group. A runbook that has not ended by then is settled by the partition's next owner after
     * its wait. A step notices the shutdown within a second; the rest is two answers from
     * release-api.
     */
    @WithDefault("5s")
    Duration shutdownGrace();
  }
}
