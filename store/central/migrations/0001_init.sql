-- The central copy of every till's operations and audit log, one row per
-- operation as it stands now. Money is minor units with its currency code,
-- never a float. Nothing secret is here: no tokens, no keys, no PIN
-- hashes, no provider's raw answers, no QR payloads, no customer contacts.

-- Where each till stands: the last change of its outbox applied here, and
-- when it last reached the server. file_id names the data file whose
-- changes these are (it and its backups): another file under the same
-- name is refused rather than mixed in.
CREATE TABLE tills (
    shop     text        NOT NULL,
    till     text        NOT NULL,
    position bigint      NOT NULL DEFAULT 0,
    seen     timestamptz NOT NULL DEFAULT now(),
    file_id  text        NOT NULL,
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
    -- day is the till's local day of created: periods are whole days of
    -- the till that made the operation, as its own history counts them.
    day             date        NOT NULL,
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
-- of ten million operations: about a million rows).
CREATE INDEX operations_day ON operations (day);
CREATE INDEX operations_till_day ON operations (shop, till, day);
-- Search by number across tills: a prefix is a range of text_pattern_ops
-- (~>=~ and ~<~), which a prepared statement's generic plan uses too.
CREATE INDEX operations_payment_number ON operations (payment_number text_pattern_ops);
CREATE INDEX operations_ref ON operations (ref text_pattern_ops);
CREATE INDEX operations_receipt ON operations (receipt text_pattern_ops);
CREATE INDEX operations_refund_of_number ON operations (refund_of_number text_pattern_ops);

-- The count and sum of the successful operations per day, till, provider,
-- currency and kind, kept in step by a trigger as rows arrive and change:
-- a period's totals read a few thousand of them, not a million
-- operations.
CREATE TABLE day_totals (
    day      date   NOT NULL,
    shop     text   NOT NULL,
    till     text   NOT NULL,
    provider text   NOT NULL,
    currency text   NOT NULL,
    kind     text   NOT NULL,
    count    bigint NOT NULL,
    amount   bigint NOT NULL,
    PRIMARY KEY (day, shop, till, provider, currency, kind)
);

CREATE FUNCTION operations_day_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state = 'success' THEN
        UPDATE day_totals SET count = count - 1, amount = amount - OLD.amount
        WHERE day = OLD.day AND shop = OLD.shop AND till = OLD.till AND provider = OLD.provider
            AND currency = OLD.currency AND kind = OLD.kind;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.state = 'success' THEN
        INSERT INTO day_totals (day, shop, till, provider, currency, kind, count, amount)
        VALUES (NEW.day, NEW.shop, NEW.till, NEW.provider, NEW.currency, NEW.kind, 1, NEW.amount)
        ON CONFLICT (day, shop, till, provider, currency, kind)
        DO UPDATE SET count = day_totals.count + 1, amount = day_totals.amount + excluded.amount;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER operations_day_totals AFTER INSERT OR UPDATE OR DELETE ON operations
    FOR EACH ROW EXECUTE FUNCTION operations_day_totals();

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
