-- Steps belong to a task and are ordered by position.
CREATE TABLE steps (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id      bigint      NOT NULL,
    position     integer     NOT NULL,
    title        text        NOT NULL,
    done         boolean     NOT NULL DEFAULT false,
    completed_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
