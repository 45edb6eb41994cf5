-- An action an admin token took for a Telegram user (an approval "on behalf of" Alice) is recorded
-- as the admin's, with the user beside it (issue 13, point 7). The timeline kept only the actor, so
-- it showed "admin token for Alice" as a name and lost who the user was; these columns keep the
-- user as the event names them. Null when the actor acted for themself (every event before).
ALTER TABLE release_events
    ADD COLUMN on_behalf_of_kind TEXT,
    ADD COLUMN on_behalf_of_id   TEXT,
    ADD COLUMN on_behalf_of_name TEXT;
