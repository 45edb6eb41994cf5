-- Role quorum in the read model (issue 15 point 3): the roles the release's policy requires beside
-- its k of n (e.g. qa: 1, lead: 1) and how far the approvals given fill them, so that release-api's
-- GET /releases/{id} answers "qa 1/1 · lead 0/1" as the card shows it. An array in the policy's
-- order (a JSONB object would lose it): [{"role", "required", "approved", "holders": [telegram ids
-- of the approvers holding the role]}]. Null when the policy names no roles (RoleQuorumColumn).
-- Like required_approvers and quorum, the policy recorded at the release's creation; rows projected
-- before this migration get it from a rebuild (POST /admin/rebuild).
-- (Named for its content, so that a renumbering on merge with concurrent work is a rename.)
ALTER TABLE releases
    ADD COLUMN role_quorum JSONB;
