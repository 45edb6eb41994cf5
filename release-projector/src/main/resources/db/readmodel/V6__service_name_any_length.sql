-- A btree entry holds at most about 2.7 kB, so a release whose service name is longer (the log may
-- hold one: the codec takes strings of any length) could not be written, and the projection stopped
-- on it for good. A hash index keeps a 4-byte hash of a value of any length. The queries by service
-- compare with = only and sort a service's few releases by time, which a hash index serves as well.
DROP INDEX releases_service_created;
CREATE INDEX releases_service_name ON releases USING hash (service_name);
