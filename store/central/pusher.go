package central

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
)

// Pace of the pusher: how often it looks at an empty outbox, and how long
// it waits after a failure, doubling up to MaxBackoff.
const (
	DefaultEvery      = 2 * time.Second
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = time.Minute
	DefaultBatch      = 500
)

// Pusher sends a till's outbox to the central database. Run it in a
// goroutine of its own: a sale never waits for it, and the server being
// away only makes it try again later.
type Pusher struct {
	st         *store.Store
	cfg        *pgx.ConnConfig
	shop, till string
	// fileID is the data file's line of changes (store.OutboxID).
	fileID string
	clock  clock.Clock

	// Every, MinBackoff, MaxBackoff and Batch are its pace (the Default
	// values unless set before Run).
	Every, MinBackoff, MaxBackoff time.Duration
	Batch                         int

	conn *pgx.Conn
	// afterCommit, in tests, runs between the server's commit and the
	// outbox's deletion; its error stops the push there, as a kill would.
	afterCommit func() error

	mu     sync.Mutex
	status Status
}

// Status is how the central copy stands, for the till's header.
type Status struct {
	// Behind is how many changes are still to be sent.
	Behind int
	// Reached is when the server last took a batch (or answered that
	// there was nothing to take); zero: not since the till started.
	Reached time.Time
	// Err is why the last try failed; nil once one succeeded.
	Err error
}

// NewPusher returns a pusher of st's outbox to the database cfg names,
// as till till of shop shop. It enables the outbox (EnableOutbox).
func NewPusher(st *store.Store, cfg *pgx.ConnConfig, shop, till string, c clock.Clock) (*Pusher, error) {
	if err := st.EnableOutbox(); err != nil {
		return nil, err
	}
	fileID, err := st.OutboxID()
	if err != nil {
		return nil, err
	}
	if c == nil {
		c = clock.Real{}
	}
	return &Pusher{st: st, cfg: cfg, shop: shop, till: till, fileID: fileID, clock: c,
		Every: DefaultEvery, MinBackoff: DefaultMinBackoff, MaxBackoff: DefaultMaxBackoff, Batch: DefaultBatch}, nil
}

// Status is the pusher's latest status.
func (p *Pusher) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// Behind is how many changes were still to be sent at the end of the
// latest push: the till's header shows it.
func (p *Pusher) Behind() int { return p.Status().Behind }

// Err is why the latest push failed; nil once one succeeded.
func (p *Pusher) Err() error { return p.Status().Err }

// Run pushes until ctx ends: the outbox as it fills, after a failure
// again once the backoff has passed.
func (p *Pusher) Run(ctx context.Context) {
	defer p.close()
	backoff := time.Duration(0)
	for {
		_, err := p.Push(ctx)
		wait := p.Every
		if err != nil {
			backoff = nextBackoff(backoff, p.MinBackoff, p.MaxBackoff)
			wait = backoff
		} else {
			backoff = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-p.clock.After(wait):
		}
	}
}

// nextBackoff doubles the wait after each failure in a row, from min up
// to max.
func nextBackoff(last, min, max time.Duration) time.Duration {
	switch {
	case last < min:
		return min
	case last >= max/2:
		return max
	}
	return last * 2
}

// Push sends the whole outbox, batch by batch, and returns how many
// changes it sent. A failure leaves what was not committed in the outbox
// and drops the connection, so the next Push connects again.
func (p *Pusher) Push(ctx context.Context) (int, error) {
	sent, err := p.push(ctx)
	behind, lenErr := p.st.OutboxLen()
	p.mu.Lock()
	defer p.mu.Unlock()
	if lenErr == nil {
		p.status.Behind = behind
	}
	p.status.Err = err
	if err == nil {
		p.status.Reached = p.clock.Now()
	}
	if err != nil {
		p.close()
	}
	return sent, err
}

func (p *Pusher) push(ctx context.Context) (int, error) {
	if p.conn == nil {
		conn, err := pgx.ConnectConfig(ctx, p.cfg)
		if err != nil {
			return 0, err
		}
		p.conn = conn
		// What the server has of this till already is not sent again: a
		// kill after its commit, a file restored from a backup.
		var position int64
		var fileID string
		err = conn.QueryRow(ctx, `SELECT position, file_id FROM tills WHERE shop = $1 AND till = $2`, p.shop, p.till).Scan(&position, &fileID)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return 0, err
		case fileID != p.fileID:
			return 0, ErrOtherFile
		}
		if err := p.st.OutboxFrom(uint64(position)); err != nil {
			return 0, err
		}
	}
	sent := 0
	for {
		batch, err := p.st.Outbox(p.Batch)
		if err != nil {
			return sent, err
		}
		if batch.Last == 0 {
			// Nothing to send: the till's last contact is still worth
			// telling the chain.
			return sent, p.claim(ctx, p.conn, 0)
		}
		if err := p.send(ctx, batch); err != nil {
			return sent, err
		}
		if p.afterCommit != nil {
			if err := p.afterCommit(); err != nil {
				return sent, err
			}
		}
		if err := p.st.DropOutbox(batch.Last); err != nil {
			return sent, err
		}
		sent += len(batch.Changes)
	}
}

// ErrOtherFile refuses the changes of a data file under a shop's and
// till's name that another data file's changes came under: two tills
// given one name, or a new file where the old one was. The till sells on
// and keeps its outbox; a name of its own ([central] till) sends it.
var ErrOtherFile = errors.New("central: another data file sends under this till's name")

// claim moves the till's position to at least position and its last
// contact to now, in the transaction of the batch it covers, where the
// till's name is this file's (or new).
func (p *Pusher) claim(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, position uint64) error {
	var ok bool
	err := q.QueryRow(ctx, `INSERT INTO tills (shop, till, position, seen, file_id) VALUES ($1, $2, $3, now(), $4)
		ON CONFLICT (shop, till) DO UPDATE SET position = GREATEST(tills.position, excluded.position), seen = now()
		WHERE tills.file_id = excluded.file_id RETURNING true`, p.shop, p.till, int64(position), p.fileID).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrOtherFile
	}
	return err
}

// send writes a batch and the till's new position in one transaction.
func (p *Pusher) send(ctx context.Context, batch store.OutboxBatch) error {
	tx, err := p.conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	// First: the row of the till is held until the commit, so a second
	// file under its name waits, then finds it is not its own.
	if err := p.claim(ctx, tx, batch.Last); err != nil {
		return err
	}
	var b pgx.Batch
	for _, ch := range batch.Changes {
		switch {
		case ch.Operation != nil && !ch.Operation.Training:
			args, err := operationArgs(p.shop, p.till, ch.Seq, ch.Operation)
			if err != nil {
				return err
			}
			b.Queue(upsertOperation, args...)
		case ch.Audit != nil:
			b.Queue(insertAudit, auditArgs(p.shop, p.till, ch.Audit)...)
		}
	}
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// operationColumns are what the server keeps of an operation: never its
// QR payload, the provider's raw answers, its error texts, the customer's
// contact or the cheque's card details; the till's secrets (tokens, keys,
// PIN hashes) are not in an operation at all.
const upsertOperation = `INSERT INTO operations (shop, till, id, operation_id, kind, provider, method, state,
	amount, currency, created, updated, finished, receipt, payment_number, ref, terminal,
	payment_id, payment_receipt, refund_of_number, cashier, approver, note, late, fiscal_state, fiscal, checked, version, day)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29::date)
	ON CONFLICT (shop, till, id) DO UPDATE SET operation_id = excluded.operation_id, kind = excluded.kind,
	provider = excluded.provider, method = excluded.method, state = excluded.state, amount = excluded.amount,
	currency = excluded.currency, created = excluded.created, day = excluded.day, updated = excluded.updated, finished = excluded.finished,
	receipt = excluded.receipt, payment_number = excluded.payment_number, ref = excluded.ref, terminal = excluded.terminal,
	payment_id = excluded.payment_id, payment_receipt = excluded.payment_receipt, refund_of_number = excluded.refund_of_number,
	cashier = excluded.cashier, approver = excluded.approver, note = excluded.note, late = excluded.late,
	fiscal_state = excluded.fiscal_state, fiscal = excluded.fiscal, checked = excluded.checked, version = excluded.version
	WHERE operations.version < excluded.version`

func operationArgs(shop, till string, version uint64, op *store.Operation) ([]any, error) {
	r := store.RowOf(*op)
	var paymentID *int64
	paymentReceipt := ""
	if op.PaymentID != 0 {
		id := int64(op.PaymentID)
		paymentID, paymentReceipt = &id, op.PaymentID.Receipt()
	}
	fiscal, err := jsonOrNil(op.Fiscal)
	if err != nil {
		return nil, err
	}
	checked, err := jsonOrNil(op.Check)
	if err != nil {
		return nil, err
	}
	return []any{shop, till, int64(op.ID), op.OperationID, string(op.Kind), op.Provider, string(op.Method), string(op.State),
		op.Amount.Minor, op.Amount.Currency.Code, op.Created, op.Updated, timeOrNil(op.Finished), op.Receipt(),
		op.TransactionID, op.Ref, r.Terminal, paymentID, paymentReceipt, op.PaymentNumber, op.Cashier, op.Approver,
		op.Note, timeOrNil(op.Late), r.Fiscal.Code(), fiscal, checked, int64(version),
		// The till's own day, in the till's own time zone.
		op.Created.In(time.Local).Format(time.DateOnly)}, nil
}

const insertAudit = `INSERT INTO audit (shop, till, seq, at, kind, who, approver, operation, amount, currency, detail, prev, hash)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (shop, till, seq) DO NOTHING`

func auditArgs(shop, till string, e *store.AuditEntry) []any {
	var op, amount *int64
	var currency *string
	if e.Operation != 0 {
		id := int64(e.Operation)
		op = &id
	}
	if e.Amount != nil {
		amount, currency = &e.Amount.Minor, &e.Amount.Currency.Code
	}
	return []any{shop, till, int64(e.Seq), e.At, e.Kind, e.Who, e.Approver, op, amount, currency, e.Detail, e.Prev, e.Hash}
}

// jsonOrNil is v as JSON for a jsonb column, NULL for a nil pointer.
func jsonOrNil[T any](v *T) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (p *Pusher) close() {
	if p.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		p.conn.Close(ctx)
		cancel()
		p.conn = nil
	}
}
