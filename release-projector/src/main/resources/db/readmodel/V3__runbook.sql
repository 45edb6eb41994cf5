-- The rollback runbook run by deploy-orchestrator, null until it starts:
-- {"run_id", "host", "target_tag", "steps": [{"step", "exit_code", "duration_ms", "ok"}],
--  "ok": null|true|false, "failed_step", "detail"}
ALTER TABLE releases ADD COLUMN runbook JSONB;
