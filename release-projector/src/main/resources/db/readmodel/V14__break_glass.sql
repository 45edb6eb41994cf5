-- Break-glass (issue 15 point 4): the release's last forced approval, for the card (who forced
-- it and why, until when it awaits a second admin, who confirmed it, or that it expired), and how
-- many requests, confirmations and expiries the release had (BreakGlassColumn). Null on a release
-- without any.
-- (V13 is left free for a migration of the concurrent freeze-window work.)
ALTER TABLE releases
    ADD COLUMN break_glass JSONB;

-- The delivery metrics count them per service (metric break_glass, label requested / confirmed /
-- expired): the parts of V7 plus these three. Every existing row has no break-glass, so the sums
-- kept in delivery_metrics need no change here.
CREATE OR REPLACE FUNCTION release_metric_parts(r releases)
RETURNS TABLE (metric TEXT, label TEXT, value BIGINT)
LANGUAGE sql IMMUTABLE AS $$
SELECT p.metric, p.label, p.value
FROM (VALUES
    ('releases', r.status, 1::bigint),
    ('deployed', '', CASE WHEN r.deployed_at IS NOT NULL THEN 1 ELSE 0 END::bigint),
    ('stage_passed', '', CASE WHEN r.manual_testing_at IS NOT NULL THEN 1 ELSE 0 END::bigint),
    ('production_changes', '', CASE WHEN r.deploying_at IS NOT NULL THEN 1 ELSE 0 END::bigint),
    ('production_failed', '',
     CASE WHEN r.deploying_at IS NOT NULL AND r.status IN ('production_failed',
          'production_rollback', 'rollback_done', 'rollback_failed') THEN 1 ELSE 0 END::bigint),
    ('break_glass', 'requested', coalesce((r.break_glass ->> 'requests')::bigint, 0)),
    ('break_glass', 'confirmed', coalesce((r.break_glass ->> 'confirmations')::bigint, 0)),
    ('break_glass', 'expired', coalesce((r.break_glass ->> 'expiries')::bigint, 0))
) AS p(metric, label, value)
WHERE p.value <> 0
UNION ALL
SELECT d.metric, x.label, x.value
FROM (VALUES
    ('rmm_release_duration_seconds', r.completed_at - r.created_at),
    ('rmm_lead_time_seconds', r.deployed_at - r.created_at),
    ('rmm_approval_wait_seconds', r.decided_at - r.manual_testing_at),
    ('rmm_time_to_restore_seconds', r.restored_at - r.rollback_started_at)
) AS d(metric, span)
CROSS JOIN LATERAL (VALUES
    ('sum_micros', (extract(epoch FROM d.span) * 1000000)::bigint),
    (CASE
         WHEN d.span <= interval '60 seconds' THEN '60'
         WHEN d.span <= interval '300 seconds' THEN '300'
         WHEN d.span <= interval '900 seconds' THEN '900'
         WHEN d.span <= interval '1800 seconds' THEN '1800'
         WHEN d.span <= interval '3600 seconds' THEN '3600'
         WHEN d.span <= interval '7200 seconds' THEN '7200'
         WHEN d.span <= interval '14400 seconds' THEN '14400'
         WHEN d.span <= interval '28800 seconds' THEN '28800'
         WHEN d.span <= interval '86400 seconds' THEN '86400'
         WHEN d.span <= interval '259200 seconds' THEN '259200'
         WHEN d.span <= interval '604800 seconds' THEN '604800'
         ELSE '+Inf'
     END, 1::bigint)
) AS x(label, value)
WHERE d.span IS NOT NULL AND x.value <> 0
$$;
