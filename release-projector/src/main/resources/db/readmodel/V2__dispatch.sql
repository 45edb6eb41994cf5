-- The production workflow's dispatch by deploy-orchestrator, null until it starts:
-- {"id", "repository", "workflow", "ref", "outcome": null|"dispatched"|"failed", "http_status", "detail"}
ALTER TABLE releases ADD COLUMN dispatch JSONB;
