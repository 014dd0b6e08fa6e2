-- A dispute is raised against a task or one of its steps, and ends resolved or rejected.
CREATE TABLE disputes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id     bigint,
    step_id     bigint,
    raised_by   text        NOT NULL,
    reason      text        NOT NULL,
    status      text        NOT NULL DEFAULT 'open',
    resolution  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
