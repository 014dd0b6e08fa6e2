-- Every change to a project, task, step or dispute, written by a trigger (see 008 and 009).
CREATE TABLE audit_logs (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity     text        NOT NULL,
    entity_id  bigint      NOT NULL,
    action     text        NOT NULL,
    actor      text        NOT NULL,
    changes    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
