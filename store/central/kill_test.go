package central

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kassa-till/kassa/store"
)

// The child process of TestASIGKILLBetweenTheCommitAndTheOutboxDoublesNothing
// reads these: the data file, and the database to push it to.
const (
	childFile     = "KASSA_CENTRAL_CHILD_FILE"
	childURL      = "KASSA_CENTRAL_CHILD_URL"
	childDatabase = "KASSA_CENTRAL_CHILD_DATABASE"
)

// A till process killed by SIGKILL after PostgreSQL committed a batch and
// before its outbox lost those entries: started again, it sends the rest,
// and nothing is doubled or lost.
func TestASIGKILLBetweenTheCommitAndTheOutboxDoublesNothing(t *testing.T) {
	if path := os.Getenv(childFile); path != "" {
		pushThenHang(t, path)
		return
	}
	if testing.Short() {
		t.Skip("runs and kills a process of its own")
	}
	cfg := testDB(t)
	path := filepath.Join(t.TempDir(), "kassa.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetTill("T1"); err != nil {
		t.Fatal(err)
	}
	sellDay(t, st, 120, 5)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	child := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	child.Env = append(os.Environ(), childFile+"="+path, childURL+"="+os.Getenv("KASSA_TEST_POSTGRES"), childDatabase+"="+cfg.Database)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	committed := false
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "committed ") {
			committed = true
			break
		}
	}
	// Killed as a power cut would, inside the window.
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	if !committed {
		t.Fatal("the child never reached the server's commit")
	}

	conn := connect(t, cfg)
	var position int64
	if err := conn.QueryRow(context.Background(), `SELECT position FROM tills`).Scan(&position); err != nil {
		t.Fatal(err)
	}
	sentBefore := count(t, conn, `SELECT count(*) FROM operations`)
	if position == 0 || sentBefore == 0 {
		t.Fatalf("the server has position %d and %d operations after the child's commit", position, sentBefore)
	}

	st, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	left, err := st.OutboxLen()
	if err != nil {
		t.Fatal(err)
	}
	first, err := st.Outbox(1)
	if err != nil {
		t.Fatal(err)
	}
	// The kill came before the deletion: the committed batch is still
	// the outbox's oldest.
	if left == 0 || first.Last > uint64(position) {
		t.Fatalf("after the kill the outbox holds %d entries from %d; the server is at %d", left, first.Last, position)
	}
	p := newPusher(t, st, cfg, "Chilanzar")
	pushAll(t, p)
	if n, _ := st.OutboxLen(); n != 0 {
		t.Fatalf("%d changes left unsent", n)
	}
	if got, want := count(t, conn, `SELECT count(*) FROM operations`), operationsOf(t, st); got != want {
		t.Fatalf("central has %d operations, the till %d", got, want)
	}
	if n := count(t, conn, `SELECT count(*) FROM audit`); n != 1 {
		t.Fatalf("central has %d audit entries, the till 1", n)
	}
	sameTotals(t, conn, "Chilanzar", st)
	checkDayTotals(t, conn)
}

// pushThenHang is the child: it pushes the file's outbox in batches of
// 50, says so once the server has committed the first, and waits there
// for its kill.
func pushThenHang(t *testing.T, path string) {
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(os.Getenv(childURL))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = os.Getenv(childDatabase)
	p, err := NewPusher(st, cfg, "Chilanzar", st.Till(), nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Batch = 50
	p.afterCommit = func() error {
		fmt.Printf("committed %d\n", p.Status().Behind)
		os.Stdout.Sync()
		select {} // the kill comes here
	}
	p.Push(context.Background())
	t.Fatal("the push went past its commit")
}
