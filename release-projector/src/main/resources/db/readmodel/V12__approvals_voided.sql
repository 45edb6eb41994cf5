-- Approvals bound to the artifact (issue 15, point 2; release.approvals-voided.v1): when the
-- pipeline reports another commit for a release's tag before the quorum, the approvals are void.
-- The row's approved_list is emptied and commit_sha becomes the new commit; this column keeps why,
-- so the bot and the API say "approvals void: the tag moved abc1234 -> def5678":
-- {"tag", "from_commit", "to_commit", "approvers": [{"id", "name"}], "reason", "at"} of the last
-- voiding. Null on every release whose tag never moved.
-- (Named for its content, so that a renumbering on merge with concurrent work is a rename.)
ALTER TABLE releases
    ADD COLUMN approvals_voided JSONB;
