-- Each release's chain head (see dev.rmm.contracts.log.ChainRule): the event that counts is the
-- one whose sequence is version + 1 and whose prevhash is head_hash; any other is void and ignored.
-- head_hash is the SHA-256 of the release's last applied event as stored in the log; it is kept for
-- releases from before hash chaining too, since their first chained event links to it.
-- head_chained: whether the release's events carry hash links (then an unchained one is void).
ALTER TABLE releases
    ADD COLUMN head_hash    TEXT,                          -- null: projected before this migration
    ADD COLUMN head_chained BOOLEAN NOT NULL DEFAULT FALSE;

-- Rows projected before this migration keep a null head_hash: their next event is accepted by
-- sequence alone and its hash stored from then on. A rebuild gives every release its exact head.
