// Package central keeps a chain's central copy of every till's operations
// and audit log in PostgreSQL: the schema (versioned migrations), the
// pusher that sends a till's outbox (store.Outbox) in the background, and
// the queries of the chain's history and export.
//
// Each till sends its own changes keyed by (shop, till, operation); a
// change's version is the till's change sequence, and the till's position
// (the last change applied) moves in the same PostgreSQL transaction as
// the rows, so a batch sent twice, or after a kill between the server's
// commit and the outbox's deletion, changes nothing.
package central

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migration is one versioned step of the schema: migrations/NNNN_name.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations are the schema's steps in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var list []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("central: migration %s: not NNNN_name.sql", e.Name())
		}
		text, err := migrations.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		list = append(list, Migration{Version: v, Name: name, SQL: string(text)})
	}
	slices.SortFunc(list, func(a, b Migration) int { return a.Version - b.Version })
	return list, nil
}

// migrateLock is the advisory lock two `kassa central init` run at once
// take in turn, so a step is never applied twice.
const migrateLock = 7_310_018

// Migrate applies the steps the database has not had yet, each in a
// transaction of its own with its row in schema_migrations, and returns
// the versions it applied: none when the schema is up to date.
func Migrate(ctx context.Context, conn *pgx.Conn) ([]int, error) {
	list, err := Migrations()
	if err != nil {
		return nil, err
	}
	_, err = conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY,
		name    text NOT NULL,
		applied timestamptz NOT NULL DEFAULT now())`)
	if err != nil {
		return nil, fmt.Errorf("central: schema_migrations: %w", err)
	}
	var applied []int
	for _, m := range list {
		done, err := apply(ctx, conn, m)
		if err != nil {
			return applied, fmt.Errorf("central: migration %04d %s: %w", m.Version, m.Name, err)
		}
		if done {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

func apply(ctx context.Context, conn *pgx.Conn, m Migration) (bool, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
		return false, err
	}
	var had bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.Version).Scan(&had); err != nil {
		return false, err
	}
	if had {
		return false, nil
	}
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

// ErrPasswordInURL refuses a database URL that carries a password: it
// would show in the process list and the shell's history. PGPASSWORD or a
// password file (PGPASSFILE, ~/.pgpass) give it, as for psql.
var ErrPasswordInURL = errors.New("central: the database URL holds a password")

// ParseURL reads a PostgreSQL URL or key=value string as libpq does
// (PGPASSWORD, PGPASSFILE, PGSSLMODE and the other PG variables apply)
// and refuses one that carries a password itself.
func ParseURL(s string) (*pgx.ConnConfig, error) {
	if u, err := url.Parse(s); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		if _, has := u.User.Password(); has || u.Query().Has("password") {
			return nil, ErrPasswordInURL
		}
	} else if strings.Contains(strings.ToLower(s), "password") {
		return nil, ErrPasswordInURL
	}
	return pgx.ParseConfig(s)
}
