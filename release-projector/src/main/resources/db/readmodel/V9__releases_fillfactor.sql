-- A release row is rewritten by nearly every event of its release. With full pages every rewrite
-- went to another page, so each of the table's three indexes got a new entry and the old version
-- was left for vacuum. With room left on each page, the new version stays on the same page and the
-- indexes are left alone (a HOT update: none of the indexed columns change, but outcome once).
-- Pages written from now on keep the room; a rebuild writes every page so.
ALTER TABLE releases SET (fillfactor = 70);
