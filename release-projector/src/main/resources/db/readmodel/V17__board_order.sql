-- The web console's board lists releases by service, newest first, a page of 50 at a time
-- (release-api's BoardQueries). Without an index in that order, a board over every outcome sorted
-- the whole table for each page (45 ms with 100k releases). A btree on service_name itself cannot
-- hold a name longer than about 2.7 kB (see V6), so the index leads with the name's first 200
-- characters: the board orders by that prefix first and then by the whole name, which is the same
-- order for every name shorter than 200 characters, and Postgres sorts only the releases that
-- share a prefix (an incremental sort) instead of all of them.
CREATE INDEX releases_board ON releases (left(service_name, 200), created_at DESC, release_id);
