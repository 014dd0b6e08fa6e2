-- Keeps updated_at current on every UPDATE.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- Writes one audit_logs row per change. The actor is the session's planner.actor setting when the
-- application sets one (SET LOCAL planner.actor = '...'), else the database user.
CREATE FUNCTION write_audit_log() RETURNS trigger
LANGUAGE plpgsql AS $audit$
DECLARE
    row_id  bigint;
    changes jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN
        row_id  := OLD.id;
        changes := jsonb_build_object('old', to_jsonb(OLD));
    ELSIF TG_OP = 'UPDATE' THEN
        row_id  := NEW.id;
        changes := jsonb_build_object('old', to_jsonb(OLD), 'new', to_jsonb(NEW));
    ELSE
        row_id  := NEW.id;
        changes := jsonb_build_object('new', to_jsonb(NEW));
    END IF;

    INSERT INTO audit_logs (entity, entity_id, action, actor, changes)
    VALUES (TG_TABLE_NAME, row_id, lower(TG_OP),
            coalesce(nullif(current_setting('planner.actor', true), ''), current_user),
            changes);
    RETURN NULL; -- an AFTER trigger: the result is ignored
END;
$audit$;
