-- The central copy of every till's operations and audit log, one row per
-- operation as it stands now. Money is minor units with its currency code,
-- never a float. Nothing secret is here: no tokens, no keys, no PIN
-- hashes, no provider's raw answers, no QR payloads, no customer contacts.

-- Where each till stands: the last change of its outbox applied here, and
-- when it last reached the server.
CREATE TABLE tills (
    shop     text        NOT NULL,
    till     text        NOT NULL,
    position bigint      NOT NULL DEFAULT 0,
    seen     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop, till)
);

CREATE TABLE operations (
    shop            text        NOT NULL,
    till            text        NOT NULL,
    -- id is the till's own number for the operation (its receipt number).
    id              bigint      NOT NULL,
    -- operation_id is the id providers were given: "<till>-<receipt>".
    operation_id    text        NOT NULL,
    kind            text        NOT NULL, -- payment, refund
    provider        text        NOT NULL,
    method          text        NOT NULL DEFAULT '',
    state           text        NOT NULL,
    amount          bigint      NOT NULL, -- minor units
    currency        text        NOT NULL,
    created         timestamptz NOT NULL,
    updated         timestamptz NOT NULL,
    finished        timestamptz,
    receipt         text        NOT NULL,
    -- The numbers a manager searches by: the payment number (Kaspi
    -- orderNumber or rrn), the provider's handle (processId, invoice id)
    -- and, for a refund, its payment's receipt and number.
    payment_number  text        NOT NULL DEFAULT '',
    ref             text        NOT NULL DEFAULT '',
    terminal        text        NOT NULL DEFAULT '',
    payment_id      bigint,
    payment_receipt text        NOT NULL DEFAULT '',
    refund_of_number text       NOT NULL DEFAULT '',
    cashier         text        NOT NULL DEFAULT '',
    approver        text        NOT NULL DEFAULT '',
    note            text        NOT NULL DEFAULT '',
    late            timestamptz,
    -- fiscal_state: '', pending, not_fiscalized, done; fiscal: the
    -- registered receipt (receiptId, fiscalSign, qrCodeURL, …).
    fiscal_state    text        NOT NULL DEFAULT '',
    fiscal          jsonb,
    -- checked: a person's verdict on an operation the till could not settle.
    checked         jsonb,
    -- version is the till's change sequence: an older one never
    -- overwrites a newer.
    version         bigint      NOT NULL,
    PRIMARY KEY (shop, till, id)
);

-- A period over the chain, a shop or one till (35 days of a chain's year
-- of ten million operations).
CREATE INDEX operations_created ON operations (created);
CREATE INDEX operations_till_created ON operations (shop, till, created);
-- Search by number across tills: prefix matches (LIKE 'x%').
CREATE INDEX operations_payment_number ON operations (payment_number text_pattern_ops) WHERE payment_number <> '';
CREATE INDEX operations_ref ON operations (ref text_pattern_ops) WHERE ref <> '';
CREATE INDEX operations_receipt ON operations (receipt text_pattern_ops);
CREATE INDEX operations_refund_of_number ON operations (refund_of_number text_pattern_ops) WHERE refund_of_number <> '';

CREATE TABLE audit (
    shop      text        NOT NULL,
    till      text        NOT NULL,
    seq       bigint      NOT NULL,
    at        timestamptz NOT NULL,
    kind      text        NOT NULL,
    who       text        NOT NULL DEFAULT '',
    approver  text        NOT NULL DEFAULT '',
    operation bigint,
    amount    bigint,
    currency  text,
    detail    text        NOT NULL DEFAULT '',
    prev      text        NOT NULL,
    hash      text        NOT NULL,
    PRIMARY KEY (shop, till, seq)
);
CREATE INDEX audit_at ON audit (at);
