package dev.rmm.gateway.access;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A release row of the read model as the admin-button tests start from it: tag v1.0.0 of acme/x
 * (run 1, commit abc1234, quorum 1) at a status and version, with who approves and who administers
 * it and, where a test is about them, its break-glass and its production dispatch as the projector
 * writes them (JSON). The columns are written in one place, so that each test names only what it is
 * about.
 */
record AdminReleaseRow(
    String service,
    String status,
    long version,
    String approvers,
    List<Long> admins,
    String breakGlass,
    String dispatch) {

  /** A release of {@code service} at {@code status} and {@code version}, with no one named yet. */
  static AdminReleaseRow of(String service, String status, long version) {
    return new AdminReleaseRow(service, status, version, "[]", List.of(), null, null);
  }

  /** The release's one required approver. */
  AdminReleaseRow approvedBy(long user, String name) {
    String approver = "[{\"id\": " + user + ", \"name\": \"" + name + "\"}]";
    return new AdminReleaseRow(service, status, version, approver, admins, breakGlass, dispatch);
  }

  /** The release's admins. */
  AdminReleaseRow administeredBy(long... users) {
    List<Long> ids = Arrays.stream(users).boxed().toList();
    return new AdminReleaseRow(service, status, version, approvers, ids, breakGlass, dispatch);
  }

  /** Its break-glass, as the projector's {@code break_glass} column holds it. */
  AdminReleaseRow withBreakGlass(String json) {
    return new AdminReleaseRow(service, status, version, approvers, admins, json, dispatch);
  }

  /** Its production dispatch, as the projector's {@code dispatch} column holds it. */
  AdminReleaseRow withDispatch(String json) {
    return new AdminReleaseRow(service, status, version, approvers, admins, breakGlass, json);
  }

  /** Writes the row under a new release id, created and updated now; returns the id. */
  String insert(Pool pg) {
    String id = UUID.randomUUID().toString();
    String adminIds =
        admins.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag, status,"
                + " outcome, initiated_by, github_run_id, github_action_link, github_ref,"
                + " repository, commit_sha, required_approvers, quorum, admins, version,"
                + " created_at, started_at, updated_at, break_glass, dispatch) VALUES ($1, $2,"
                + " 'v1.0.0', $3, 'active', 'octocat', '1',"
                + " 'https://github.com/acme/x/actions/runs/1', 'refs/tags/v1.0.0', 'acme/x',"
                + " 'abc1234', $4::text::jsonb, 1, $5::text::jsonb, $6, $7, $7, $7,"
                + " $8::text::jsonb, $9::text::jsonb)")
        .execute(
            Tuple.from(
                Arrays.asList(
                    id,
                    service,
                    status,
                    approvers,
                    adminIds,
                    version,
                    Instant.now().atOffset(ZoneOffset.UTC),
                    breakGlass,
                    dispatch)))
        .await()
        .atMost(Duration.ofSeconds(10));
    return id;
  }
}
