-- What the chain's history screen (kassa history --central) asks of the
-- operations, quickly over a chain's year. Safe over a database that has
-- part of it already (a copy of the schema from before it was versioned
-- apart).

-- Its pages, newest first, a page at a time (keyset paging).
CREATE INDEX IF NOT EXISTS operations_created ON operations (created, shop, till, id);

-- The providers' terminals and QRs each till's operations went through,
-- per day, for its terminal filter: a handful a day, where the
-- operations of 35 days are a million.
CREATE TABLE IF NOT EXISTS day_terminals (
    day      date NOT NULL,
    shop     text NOT NULL,
    till     text NOT NULL,
    provider text NOT NULL,
    terminal text NOT NULL,
    PRIMARY KEY (day, shop, till, provider, terminal)
);

INSERT INTO day_terminals (day, shop, till, provider, terminal)
    SELECT DISTINCT day, shop, till, provider, terminal FROM operations
    ON CONFLICT DO NOTHING;

CREATE OR REPLACE FUNCTION operations_day_terminals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO day_terminals (day, shop, till, provider, terminal)
    VALUES (NEW.day, NEW.shop, NEW.till, NEW.provider, NEW.terminal)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS operations_day_terminals ON operations;
CREATE TRIGGER operations_day_terminals AFTER INSERT OR UPDATE ON operations
    FOR EACH ROW EXECUTE FUNCTION operations_day_terminals();
