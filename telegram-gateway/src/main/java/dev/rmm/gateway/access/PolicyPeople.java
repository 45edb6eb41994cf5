package dev.rmm.gateway.access;

import dev.rmm.contracts.readmodel.ReadModel;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether someone is an approver or an admin: under the policy in force ({@link PoliciesInForce}),
 * or, before any policy event was read, under the approval policy recorded with each release in the
 * read model ({@code required_approvers}, {@code admins}), the newest release of each service.
 */
@ApplicationScoped
public class PolicyPeople {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static final String SQL =
      "SELECT EXISTS (SELECT 1 FROM "
          + ReadModel.SCHEMA
          + ".releases r"
          + " WHERE (r.required_approvers @> jsonb_build_array(jsonb_build_object('id', $1::bigint))"
          + " OR r.admins @> jsonb_build_array($1::bigint))"
          + " AND NOT EXISTS (SELECT 1 FROM "
          + ReadModel.SCHEMA
          + ".releases n"
          + " WHERE n.service_name = r.service_name AND n.created_at > r.created_at)) AS listed";

  private final Pool pg;
  private final PoliciesInForce policies;

  PolicyPeople(Pool pg, PoliciesInForce policies) {
    this.pg = pg;
    this.policies = policies;
  }

  /**
   * @throws RuntimeException when the read model cannot be read (the update is handled again later)
   */
  public boolean isApproverOrAdmin(long telegramUserId) {
    Optional<Boolean> inForce = policies.listsAnywhere(telegramUserId);
    if (inForce.isPresent()) {
      return inForce.get();
    }
    return pg.preparedQuery(SQL)
        .execute(Tuple.of(telegramUserId))
        .await()
        .atMost(TIMEOUT)
        .iterator()
        .next()
        .getBoolean("listed");
  }
}
