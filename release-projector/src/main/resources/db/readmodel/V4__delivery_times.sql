-- When a release reached the moments the delivery metrics (DORA) are measured between. Like every
-- column, they come from the events only, so a rebuild from the log gives the same numbers.
ALTER TABLE releases
    ADD COLUMN manual_testing_at   TIMESTAMPTZ, -- entered manual_testing (approval wait starts)
    ADD COLUMN decided_at          TIMESTAMPTZ, -- approval quorum reached, or rejected
    ADD COLUMN deploying_at        TIMESTAMPTZ, -- the production deploy started
    ADD COLUMN rollback_started_at TIMESTAMPTZ, -- entered production_rollback (failure detected)
    ADD COLUMN restored_at         TIMESTAMPTZ; -- rollback_done (service restored)

-- Releases projected before this migration: the same moments, from their timeline.
UPDATE releases r SET
    manual_testing_at = (SELECT min(occurred_at) FROM release_events e WHERE e.release_id = r.release_id
                         AND e.type = 'release.status-changed.v1' AND e.data->>'to' = 'manual_testing'),
    decided_at = (SELECT min(occurred_at) FROM release_events e WHERE e.release_id = r.release_id
                  AND e.type IN ('release.quorum-reached.v1', 'release.rejected.v1')),
    deploying_at = (SELECT min(occurred_at) FROM release_events e WHERE e.release_id = r.release_id
                    AND e.type = 'release.status-changed.v1' AND e.data->>'to' = 'deploying'),
    rollback_started_at = (SELECT min(occurred_at) FROM release_events e WHERE e.release_id = r.release_id
                           AND (e.type = 'release.rollback-requested.v1'
                                OR (e.type = 'release.status-changed.v1' AND e.data->>'to' = 'production_rollback'))),
    restored_at = (SELECT min(occurred_at) FROM release_events e WHERE e.release_id = r.release_id
                   AND e.type = 'release.status-changed.v1' AND e.data->>'to' = 'rollback_done');
