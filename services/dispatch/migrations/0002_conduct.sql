-- What forbids a visit, as dispatch has heard it from the services that know: complaints, stop requests and
-- preferences (outreach), agreements in force (agreement tracking), disputes and payments (overdue detection).
CREATE TABLE contact_holds (
    subject_kind text NOT NULL CHECK (subject_kind IN ('customer', 'loan', 'case')),
    subject_id   text NOT NULL,
    rule_id      text NOT NULL,
    source_id    text NOT NULL,  -- the complaint, agreement, dispute or case that holds
    since        timestamptz NOT NULL,
    released_at  timestamptz,
    PRIMARY KEY (subject_kind, subject_id, rule_id, source_id)
);

-- The borrower's latest word on being contacted: the latest by event time wins, whatever the order read.
CREATE TABLE contact_preferences (
    customer_id       text PRIMARY KEY,
    stop_contact      boolean NOT NULL,
    preferred_channel text,
    hours_start       time,
    hours_end         time,
    changed_at        timestamptz NOT NULL
);

-- Every visit is a recorded contact decision, like a message: at scheduling, when a fact cancels it,
-- and at the door.
CREATE TABLE visit_decisions (
    visit_id       text NOT NULL,
    stage          text NOT NULL CHECK (stage IN ('schedule', 'cancel', 'check_in')),
    decided_at     timestamptz NOT NULL,
    rule_id        text NOT NULL,
    policy_version text NOT NULL,
    customer_id    text NOT NULL,
    loan_id        text NOT NULL,
    case_id        text NOT NULL,
    PRIMARY KEY (visit_id, stage, decided_at)
);
