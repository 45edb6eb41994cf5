-- The rollback rule (docs/security.md, "Rollback targets") in one place: the gateway's picker and
-- release-api's check of every rollback request both read these views, so they cannot disagree.
-- Views are bound to their tables when created, so a rebuilt schema swapped in keeps its own.

-- Which tags each release may be rolled back to: a tag of the same service that a release
-- reached deployed with before this release did, that is not this release's own tag, and that
-- is not broken. A tag is broken when any release of it in the service failed in production or
-- was rolled back (an admin moved production away from it: production_rollback, rollback_done,
-- rollback_failed; a pipeline's rollback of a failed deploy is production_rollback too).
-- A release that the read model does not show as deployed yet (the projector lags the log by a
-- moment; the writer's own state says whether it is deployed) counts as deployed after every
-- deploy the read model knows.
-- One row per (release, tag), with the tag's latest deploy before the release.
CREATE VIEW rollback_targets AS
SELECT DISTINCT ON (r.release_id, t.release_tag)
       r.release_id,
       t.release_tag AS target_tag,
       t.release_id  AS target_release_id,
       t.deployed_at AS target_deployed_at
FROM releases r
JOIN releases t ON t.service_name = r.service_name
WHERE t.deployed_at IS NOT NULL
  AND t.deployed_at < coalesce(r.deployed_at, 'infinity'::timestamptz)
  AND t.release_tag <> r.release_tag
  AND NOT EXISTS (
      SELECT 1 FROM releases b
      WHERE b.service_name = t.service_name
        AND b.release_tag = t.release_tag
        AND b.status IN ('production_failed', 'production_rollback', 'rollback_done',
                         'rollback_failed'))
ORDER BY r.release_id, t.release_tag, t.deployed_at DESC;

-- What runs in production for each service: the tag of the latest event that put a tag there,
-- a deploy (the release's tag at deployed_at) or a finished rollback (its target at restored_at;
-- a pipeline's rollback of a failed deploy has no target and changes nothing).
CREATE VIEW production_tags AS
SELECT DISTINCT ON (service_name) service_name, tag, since
FROM (SELECT service_name, release_tag AS tag, deployed_at AS since
      FROM releases WHERE deployed_at IS NOT NULL
      UNION ALL
      SELECT service_name, rollback_to_tag, restored_at
      FROM releases WHERE restored_at IS NOT NULL AND rollback_to_tag <> '') p
ORDER BY service_name, since DESC;
