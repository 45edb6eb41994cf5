-- The delivery (DORA) metrics per service, kept up to date by the projection in the same
-- transaction as the rows it writes, never recomputed over all releases.
--
-- The function release_metric_parts is the one definition of what a release row adds to its
-- service's figures (its parts, never zero). The statement that writes a batch's release rows adds
-- the parts of the new rows and subtracts those of the old ones (read in the same statement), so
-- only the sums that change are written; a rebuild and this migration sum the parts of every
-- release (view release_metric_parts). All values are whole numbers (counts, microseconds), so the sums are exact and a rebuild
-- gives the same figures as the live projection, in any order.
--   releases            label = status    releases now in that status
--   deployed            label = ''        releases that reached production (deployed_at set)
--   stage_passed        label = ''        releases that finished stage (manual_testing_at set)
--   production_changes  label = ''        production deploys started (deploying_at set)
--   production_failed   label = ''        of those, failed or rolled back
--   rmm_<histogram>     label = 'sum_micros' the sum of the measured intervals, in microseconds
--                       label = '<le>'    intervals whose smallest bucket is le seconds ('+Inf')
CREATE FUNCTION release_metric_parts(r releases)
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
          'production_rollback', 'rollback_done', 'rollback_failed') THEN 1 ELSE 0 END::bigint)
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

-- Every release's parts.
CREATE VIEW release_metric_parts AS
SELECT r.release_id, r.service_name, p.metric, p.label, p.value
FROM releases r, LATERAL release_metric_parts(r) AS p;

-- The sums of the parts, per service; a row whose sum is zero is deleted.
CREATE TABLE delivery_metrics (
    service_name TEXT NOT NULL,
    metric       TEXT NOT NULL,
    label        TEXT NOT NULL,
    value        BIGINT NOT NULL
);
-- a service name may be longer than a btree entry can hold (see V6): key it by its hash
CREATE UNIQUE INDEX delivery_metrics_key ON delivery_metrics (md5(service_name), metric, label);

-- Releases projected before this migration.
INSERT INTO delivery_metrics (service_name, metric, label, value)
SELECT service_name, metric, label, sum(value)::bigint
FROM release_metric_parts
GROUP BY 1, 2, 3
HAVING sum(value) <> 0;
