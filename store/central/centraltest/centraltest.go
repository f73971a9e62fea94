// Package centraltest gives tests an empty central database of their own
// on the PostgreSQL that KASSA_TEST_POSTGRES names (.ci/postgres starts
// one; .ci/run does so itself).
package centraltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// URLVar names the PostgreSQL the tests use.
const URLVar = "KASSA_TEST_POSTGRES"

// DB makes an empty database for t, dropped when t ends, and returns its
// config; without URLVar it skips t, saying why.
func DB(t testing.TB) *pgx.ConnConfig {
	t.Helper()
	url := testURL(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("%s=%s: %v", URLVar, url, err)
	}
	var raw [6]byte
	rand.Read(raw[:])
	name := "kassa_test_" + hex.EncodeToString(raw[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
		admin.Close(ctx)
	})
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = name
	return cfg
}

func testURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(URLVar)
	if url == "" {
		t.Skip(URLVar + " is not set: no PostgreSQL to test the central database against (.ci/postgres start gives one)")
	}
	return url
}

// Connect connects to cfg's database for t, closed when t ends.
func Connect(t testing.TB, cfg *pgx.ConnConfig) *pgx.Conn {
	t.Helper()
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
