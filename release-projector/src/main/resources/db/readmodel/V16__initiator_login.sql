-- Who started the release as the API authenticated it (issue 15 points 3 and 2 of the leftovers):
-- the GitHub login of the pipeline's OIDC token ('actor' claim, spec.initiator_login of
-- release.created.v1), beside initiated_by, the free text the pipeline reports. The card names the
-- person the login belongs to (the policy's people directory); null when the release was created
-- with a stored token or before the login was recorded.
-- (Named for its content, so that a renumbering on merge with concurrent work is a rename.)
ALTER TABLE releases
    ADD COLUMN initiator_login TEXT;

-- Releases projected before: the login from their creation event in the timeline, as a rebuild
-- would set it (the timeline's data is the event's data as the read model stores it).
UPDATE releases r
SET initiator_login = e.data -> 'spec' ->> 'initiator_login'
FROM release_events e
WHERE e.release_id = r.release_id
  AND e.type = 'release.created.v1'
  AND e.data -> 'spec' ->> 'initiator_login' IS NOT NULL;
