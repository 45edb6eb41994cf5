-- Freeze windows (issue 15, point 5; release.dispatch-held.v1): while a freeze of the policy in
-- force covers a release's service, the orchestrator holds its production dispatch and says until
-- when. The newest hold: {"until", "reason" (absent: none), "policy_version", "at"}; the card shows
-- "frozen until ..." from it while the release waits for its dispatch. Null when no freeze held it.
-- (Named for its content, so that a renumbering on merge with concurrent work is a rename.)
ALTER TABLE releases
    ADD COLUMN dispatch_held JSONB;
