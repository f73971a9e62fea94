//go:build sqlitebench

// The SQLite side of the durable-write benchmarks, for comparison only:
// it needs cgo and gcc, so it is built with -tags sqlitebench:
//
//	go test -tags sqlitebench ./store -run X -bench Durable
package store

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// sqliteRowFields are the columns of the fields a history row shows,
// filters and searches by.
const sqliteRowFields = `
	id INTEGER PRIMARY KEY,
	created INTEGER NOT NULL,
	kind TEXT NOT NULL,
	state TEXT NOT NULL,
	provider TEXT NOT NULL,
	method TEXT NOT NULL,
	amount INTEGER NOT NULL,
	currency TEXT NOT NULL,
	payment_id INTEGER NOT NULL,
	terminal TEXT NOT NULL,
	number TEXT NOT NULL,
	ref TEXT NOT NULL`

// sqliteSchema holds what the kassa store holds of an operation: its
// JSON, the fields the history filters and searches by, and eight indexes
// for the questions the store's buckets answer.
const sqliteSchema = `
CREATE TABLE operations (` + sqliteRowFields + `,
	open INTEGER NOT NULL,
	data BLOB NOT NULL
);
CREATE INDEX ops_created ON operations(created);
CREATE INDEX ops_state ON operations(state, created);
CREATE INDEX ops_open ON operations(open) WHERE open;
CREATE INDEX ops_payment ON operations(payment_id) WHERE payment_id != 0;
CREATE INDEX ops_number ON operations(number);
CREATE INDEX ops_ref ON operations(provider, ref);
CREATE INDEX ops_terminal ON operations(terminal, created);
CREATE INDEX ops_method ON operations(kind, method, created);
`

const (
	sqliteInsert = `INSERT INTO operations (created, kind, state, provider, method, amount, currency, payment_id, terminal, number, ref, open, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqliteUpdate = `UPDATE operations SET created = ?, kind = ?, state = ?, provider = ?, method = ?, amount = ?, currency = ?,
		payment_id = ?, terminal = ?, number = ?, ref = ?, open = ?, data = ? WHERE id = ?`
)

func sqliteArgs(b *testing.B, op *Operation) []any {
	data, err := json.Marshal(op)
	if err != nil {
		b.Fatal(err)
	}
	r := RowOf(*op)
	return []any{r.Created.UnixNano(), string(r.Kind), string(r.State), r.Provider, string(r.Method), r.Amount.Minor,
		r.Amount.Currency.Code, int64(r.PaymentID), r.Terminal, r.Number, r.Ref, op.State.Open(), data}
}

// sqliteBench is a SQLite database in WAL mode with synchronous=FULL,
// holding the operations of the kassa bench file of n operations.
func sqliteBench(b *testing.B, n int) *sql.DB {
	b.Helper()
	s, err := Open(benchFile(b, n))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	path := filepath.Join(b.TempDir(), "ops.sqlite")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=FULL")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: the pragmas hold for every statement
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(sqliteSchema); err != nil {
		b.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for id := ID(1); id <= ID(n); id++ {
		op, err := s.Get(id)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(sqliteInsert, sqliteArgs(b, &op)...); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	var mode string
	var sync int
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		b.Fatal("journal mode", mode, err)
	}
	if err := db.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		b.Fatal("synchronous", sync, err)
	}
	return db
}

// sqliteBytes is the database's size with its WAL checkpointed.
func sqliteBytes(b *testing.B, db *sql.DB) int64 {
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	var pages, size int64
	if err := db.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA page_size").Scan(&size); err != nil {
		b.Fatal(err)
	}
	return pages * size
}

type sqliteTarget struct {
	b  *testing.B
	db *sql.DB
}

func (t sqliteTarget) create(op *Operation) error {
	res, err := t.db.Exec(sqliteInsert, sqliteArgs(t.b, op)...)
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	op.ID = ID(id)
	return err
}

func (t sqliteTarget) save(op *Operation) error {
	_, err := t.db.Exec(sqliteUpdate, append(sqliteArgs(t.b, op), int64(op.ID))...)
	return err
}

func (t sqliteTarget) size() int64 { return sqliteBytes(t.b, t.db) }

// settle: a SQLite commit leaves nothing behind but its checkpoints, which
// it makes inside the commits themselves.
func (t sqliteTarget) settle() error { return nil }

func openSQLite(b *testing.B, n int) durableTarget { return sqliteTarget{b, sqliteBench(b, n)} }

func BenchmarkDurableCreateSQLite(b *testing.B) { benchDurableCreate(b, "sqlite", openSQLite) }

func BenchmarkDurableSaveSQLite(b *testing.B) { benchDurableSave(b, "sqlite", openSQLite) }
