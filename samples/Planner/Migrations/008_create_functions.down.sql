DROP FUNCTION write_audit_log();
DROP FUNCTION set_updated_at();
