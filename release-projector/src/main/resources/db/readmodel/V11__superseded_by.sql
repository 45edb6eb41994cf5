-- A release superseded by a newer release of its service (release.superseded.v1): status
-- cancelled, and which release replaced it, so the bot and the API say "replaced by v1.5.0".
-- Null on every other release, also on one an admin cancelled.
-- (V10 is left free for a migration of the concurrent on-behalf work.)
ALTER TABLE releases
    ADD COLUMN superseded_by_id TEXT,
    ADD COLUMN superseded_by_tag TEXT;
