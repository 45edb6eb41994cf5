package dev.rmm.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL (the read model) stopped for a while under load, then started again on its data. While
 * it is down, writes must be unaffected (they go to the log, not to PostgreSQL): the fault's own
 * writes (a release of {@value #PROBE} created and stepped every half second) are answered 2xx, and
 * no write of the load is refused or left unanswered, rollback requests aside (their target is
 * checked against the read model at the door, so they answer 503 by design; counted apart). The
 * load alone cannot prove that writes go on: its pipelines may all be waiting on the read side for
 * the whole outage. Queries must answer 503 {@code application/problem+json}. After it is back the
 * {@link Verdict} checks that the projector caught up with no gap and no duplicate (the read model
 * equals a rebuild and shows every release's final status).
 */
final class PostgresOutage implements Fault {

  /** Time for the services to notice that their connections are gone. */
  private static final Duration NOTICE = Duration.ofSeconds(3);

  /** The service of the fault's own writes (unbound services are allowed on the test stack). */
  private static final String PROBE = "chaos-probe";

  private final StackExtension stack;
  private final Duration outage;

  PostgresOutage(StackExtension stack, Duration outage) {
    this.stack = stack;
    this.outage = outage;
  }

  @Override
  public String name() {
    return "PostgreSQL stopped for " + outage.toSeconds() + " s";
  }

  @Override
  public List<String> inject(ChaosLoad load) throws InterruptedException {
    Thread.sleep(1500);
    List<String> failed = new ArrayList<>();
    Http api = new Http(stack.apiUrl(), stack.apiToken());
    load.resetWriteCounters();
    long stopped = System.nanoTime();
    stack.stack().postgres().stop();
    int probes = 0;
    int probeWrites = 0;
    long run = System.currentTimeMillis();
    try {
      while (System.nanoTime() - stopped < outage.toNanos()) {
        Thread.sleep(500);
        if (System.nanoTime() - stopped < NOTICE.toNanos()) {
          continue;
        }
        probeWrites++;
        if (failed.size() < 5) {
          write(api, run, probeWrites, failed);
        }
        List<ChaosLoad.Release> made = load.releases();
        if (made.isEmpty()) {
          continue;
        }
        String id = made.get(made.size() - 1).id();
        Http.Answer a;
        try {
          a = api.get("/api/v1/releases/" + id);
        } catch (IllegalStateException noAnswer) {
          a = new Http.Answer(0, null, "no answer or no JSON: " + noAnswer.getMessage());
        }
        probes++;
        if (a.status() != 503 || !a.contentType().startsWith("application/problem+json")) {
          if (failed.size() < 5) {
            failed.add(
                "postgres down: GET /api/v1/releases/"
                    + id
                    + " answered "
                    + a.status()
                    + " "
                    + a.contentType()
                    + " "
                    + a.body()
                    + "; expected 503 application/problem+json");
          }
        }
      }
    } finally {
      stack.stack().postgres().start();
    }
    int refused = load.writesRefused();
    int unanswered = load.writesUnanswered();
    int answered = load.writesAnswered();
    System.out.printf(
        "postgres down %d s: %d queries probed, %d probe releases written, load writes %d"
            + " answered, %d refused (503), %d unanswered; rollbacks refused 503 (their target"
            + " is checked against the read model) %d times%n",
        outage.toSeconds(),
        probes,
        probeWrites,
        answered,
        refused,
        unanswered,
        load.rollbacksRefused());
    if (probeWrites == 0) {
      failed.add("postgres down: the outage was too short to probe a write");
    }
    if (refused + unanswered > 0) {
      failed.add(
          "postgres down: writes were affected: "
              + refused
              + " answered 503 and "
              + unanswered
              + " got no answer ("
              + answered
              + " answered 2xx)");
    }
    return failed;
  }

  /** Creates release {@code n} of {@value #PROBE} and reports its first step; both must be 2xx. */
  private static void write(Http api, long run, int n, List<String> failed) {
    String tag = "v" + (run % 100_000) + "." + n + ".0";
    String what = "create " + PROBE + " " + tag;
    try {
      Http.Answer created =
          api.post("/api/v1/releases", Http.createBody(PROBE, tag, Long.toString(run)));
      if (created.status() / 100 == 2) {
        what = "stage_building of " + PROBE + " " + tag;
        String id = created.body().get("release_id").asText();
        Http.Answer step =
            api.post("/api/v1/releases/" + id + "/steps", Http.step("stage_building"));
        if (step.status() / 100 == 2) {
          return;
        }
        created = step;
      }
      failed.add(
          "postgres down: "
              + what
              + " answered "
              + created.status()
              + " "
              + created.body()
              + "; writes must go on without PostgreSQL");
    } catch (IllegalStateException noAnswer) {
      failed.add("postgres down: " + what + " got no answer: " + noAnswer.getMessage());
    }
  }
}
