package store

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kassa-till/kassa/providers"
)

// auditLog is a closed data file whose audit log holds n entries, one a
// minute from t0.
func auditLog(t *testing.T, n int) string {
	t.Helper()
	s, path := openTemp(t)
	for i := range n {
		e := AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Kind: AuditPrint, Who: "Aigerim", Operation: ID(i + 1)}
		if i%3 == 0 {
			e.Kind, e.Approver, e.Amount = AuditRefund, "Dana", &providers.Money{Minor: int64(100 * i), Currency: providers.KZT}
		}
		if err := s.Audit(e); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	return path
}

// verify opens the file and checks its audit chain.
func verify(t *testing.T, path string) (int, *AuditBreak) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, broken, err := s.VerifyAudit()
	if err != nil {
		t.Fatal(err)
	}
	return n, broken
}

// edit changes the data file with bbolt itself, as someone with the file
// and a bbolt tool would.
func edit(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func TestAFreshAuditLogHolds(t *testing.T) {
	if n, broken := verify(t, auditLog(t, 0)); n != 0 || broken != nil {
		t.Fatal(n, broken)
	}
	path := auditLog(t, 10)
	if n, broken := verify(t, path); n != 10 || broken != nil {
		t.Fatal(n, broken)
	}
	s, _ := Open(path)
	defer s.Close()
	var prev string
	var seq uint64
	s.AuditEntries(time.Time{}, time.Time{}, "", func(e AuditEntry) bool {
		seq++
		if e.Seq != seq || e.Prev != prev || len(e.Hash) != 64 {
			t.Fatalf("%+v", e)
		}
		prev = e.Hash
		return true
	})
	if seq != 10 {
		t.Fatal(seq)
	}
}

func TestAnEntryAlteredInTheFileBreaksTheChain(t *testing.T) {
	path := auditLog(t, 10)
	edit(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bAudit)
		v := bytes.Replace(b.Get(seqKey(4)), []byte(`"who":"Aigerim"`), []byte(`"who":"Bakhyt"`), 1)
		return b.Put(seqKey(4), v)
	})
	n, broken := verify(t, path)
	if n != 10 || broken == nil || broken.Seq != 4 || broken.Reason != BreakAltered || !broken.At.Equal(t0.Add(3*time.Minute)) {
		t.Fatal(n, broken)
	}
}

// Rewriting an entry with its hash made again is seen at the next one,
// whose link no longer matches; the JSON may be written in another
// layout without breaking anything.
func TestAnEntryRewrittenWithItsHashBreaksAtTheNext(t *testing.T) {
	path := auditLog(t, 10)
	edit(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bAudit)
		for seq := uint64(1); seq <= 10; seq++ {
			var e AuditEntry
			json.Unmarshal(b.Get(seqKey(seq)), &e)
			if seq == 6 {
				e.Who = "Bakhyt"
				e.Hash = e.digest()
			}
			v, _ := json.MarshalIndent(e, "", "  ")
			b.Put(seqKey(seq), v)
		}
		return nil
	})
	if _, broken := verify(t, path); broken == nil || broken.Seq != 7 || broken.Reason != BreakAltered {
		t.Fatal(broken)
	}
}

func TestAnEntryRemovedFromTheMiddleIsMissing(t *testing.T) {
	path := auditLog(t, 10)
	edit(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bAudit).Delete(seqKey(5)) })
	n, broken := verify(t, path)
	if n != 9 || broken == nil || broken.Seq != 5 || broken.Reason != BreakMissing {
		t.Fatal(n, broken)
	}
}

func TestTheNewestEntriesRemovedShowAtTheHead(t *testing.T) {
	path := auditLog(t, 10)
	edit(t, path, func(tx *bolt.Tx) error {
		tx.Bucket(bAudit).Delete(seqKey(10))
		return tx.Bucket(bAudit).Delete(seqKey(9))
	})
	n, broken := verify(t, path)
	if n != 8 || broken == nil || broken.Seq != 9 || broken.Reason != BreakHead {
		t.Fatal(n, broken)
	}
	// The next entry goes on from the head: the gap stays in sight.
	s, _ := Open(path)
	s.Audit(AuditEntry{At: t0.Add(time.Hour), Kind: AuditSignIn, Who: "Dana"})
	s.Close()
	if _, broken := verify(t, path); broken == nil || broken.Seq != 9 || broken.Reason != BreakMissing {
		t.Fatal(broken)
	}
}

func TestEntriesSwappedOrUnreadable(t *testing.T) {
	path := auditLog(t, 5)
	edit(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bAudit)
		two, three := bytes.Clone(b.Get(seqKey(2))), bytes.Clone(b.Get(seqKey(3)))
		b.Put(seqKey(2), three)
		return b.Put(seqKey(3), two)
	})
	if _, broken := verify(t, path); broken == nil || broken.Seq != 2 || broken.Reason != BreakOutOfOrder {
		t.Fatal(broken)
	}
	path = auditLog(t, 5)
	edit(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bAudit).Put(seqKey(3), []byte("{not json")) })
	if _, broken := verify(t, path); broken == nil || broken.Seq != 3 || broken.Reason != BreakUnreadable {
		t.Fatal(broken)
	}
}

func TestAuditPagesAndSearch(t *testing.T) {
	path := auditLog(t, 30)
	s, _ := Open(path)
	defer s.Close()
	page, err := s.AuditPage(time.Time{}, time.Time{}, "", 0, 4)
	if err != nil || len(page) != 4 || page[0].Seq != 30 || page[3].Seq != 27 {
		t.Fatal(page, err)
	}
	page, _ = s.AuditPage(time.Time{}, time.Time{}, "", page[3].Seq, 100)
	if len(page) != 26 || page[0].Seq != 26 || page[25].Seq != 1 {
		t.Fatal(len(page))
	}
	// Search: a person, a kind, a receipt number.
	count := func(search string) int {
		n := 0
		s.AuditEntries(time.Time{}, time.Time{}, search, func(AuditEntry) bool { n++; return true })
		return n
	}
	if count("dana") != 10 || count("REFUND") != 10 || count("aigerim") != 30 || count("000012") != 1 || count("nobody") != 0 {
		t.Fatal(count("dana"), count("REFUND"), count("aigerim"), count("000012"))
	}
	// A period of days: entries on the day after t0's are outside one
	// that ends on t0's day.
	s.Audit(AuditEntry{At: t0.AddDate(0, 0, 1), Kind: AuditSignIn, Who: "Dana"})
	if n := 0; s.AuditEntries(t0, t0, "", func(AuditEntry) bool { n++; return true }) != nil || n != 30 {
		t.Fatal(n)
	}
	if page, _ := s.AuditPage(t0.AddDate(0, 0, 1), time.Time{}, "", 0, 10); len(page) != 1 || page[0].Seq != 31 {
		t.Fatal(page)
	}
	// Stopping early.
	n := 0
	s.AuditEntries(time.Time{}, time.Time{}, "", func(AuditEntry) bool { n++; return n < 3 })
	if n != 3 {
		t.Fatal(n)
	}
}

// An entry written while the clock was set back is still in the log's
// order: by its number.
func TestTheLogsOrderIsItsNumbers(t *testing.T) {
	s, _ := openTemp(t)
	s.Audit(AuditEntry{At: t0.Add(time.Hour), Kind: AuditSignIn, Who: "first"})
	s.Audit(AuditEntry{At: t0, Kind: AuditSignIn, Who: "second"})
	var who []string
	s.AuditEntries(t0, t0, "", func(e AuditEntry) bool { who = append(who, e.Who); return true })
	if strings.Join(who, ",") != "first,second" {
		t.Fatal(who)
	}
}

func TestSettingsAndSecretsAreAuditedWithTheirChange(t *testing.T) {
	s, path := openTemp(t)
	if err := s.PutSettingAudited("language", "ru", AuditEntry{At: t0, Who: "Dana"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSecretAudited("uzqr_key", "sekret-key-123", AuditEntry{At: t0, Who: "Dana"}); err != nil {
		t.Fatal(err)
	}
	var lang, key string
	s.Setting("language", &lang)
	s.Secret("uzqr_key", &key)
	if lang != "ru" || key != "sekret-key-123" {
		t.Fatal(lang, key)
	}
	page, _ := s.AuditPage(time.Time{}, time.Time{}, "", 0, 10)
	if len(page) != 2 || page[1].Kind != AuditSetting || page[1].Detail != "language" || page[0].Kind != AuditKey || page[0].Detail != "uzqr_key" {
		t.Fatalf("%+v", page)
	}
	s.Close()
	db, _ := bolt.Open(path, 0o600, nil)
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bAudit).ForEach(func(k, v []byte) error {
			if bytes.Contains(v, []byte("sekret")) {
				t.Errorf("entry %d holds the secret", binary.BigEndian.Uint64(k))
			}
			return nil
		})
	})
}

func TestAuditCSV(t *testing.T) {
	path := auditLog(t, 4)
	s, _ := Open(path)
	defer s.Close()
	var b strings.Builder
	n, err := s.WriteAuditCSV(&b, time.Time{}, time.Time{}, "", AuditCSVFormat{Comma: ';', DecimalComma: true,
		Kinds: map[string]string{AuditRefund: "Возврат"}})
	if err != nil || n != 4 {
		t.Fatal(n, err)
	}
	if !strings.HasPrefix(b.String(), "\ufeffseq;time;kind;who;") {
		t.Fatalf("%.40q", b.String())
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 5 {
		t.Fatal(rows, err)
	}
	first := rows[1]
	if first[0] != "1" || first[2] != "Возврат" || first[3] != "Aigerim" || first[4] != "Dana" || first[5] != "000001" ||
		first[6] != "0" || first[7] != "KZT" || len(first[9]) != 64 {
		t.Fatal(first)
	}
	if rows[2][2] != AuditPrint || rows[2][6] != "" {
		t.Fatal(rows[2])
	}
}

// A salvaged file keeps the till's people and its audit log.
func TestSalvageKeepsPeopleAndTheAuditLog(t *testing.T) {
	s, path := staff(t)
	s.SignIn("Aigerim", "2222", t0)
	s.Close()
	dst := path + ".new"
	rep, err := Salvage(path, dst)
	if err != nil {
		t.Fatal(err)
	}
	if rep.People != 2 || rep.Audit != 3 || rep.PeopleDamaged || rep.AuditDamaged {
		t.Fatalf("%+v", rep)
	}
	if n, broken := verify(t, dst); n != 3 || broken != nil {
		t.Fatal(n, broken)
	}
	out, _ := Open(dst)
	defer out.Close()
	if _, err := out.SignIn("Aigerim", "2222", t0); err != nil {
		t.Fatal(err)
	}
	if page, _ := out.AuditPage(t0, t0, "", 0, 10); len(page) != 4 {
		t.Fatal(len(page)) // the time index was made again
	}
}

// The newest entry rewritten with its hash made again: only the head
// remembers what it was.
func TestTheNewestEntryRewrittenShowsAgainstTheHead(t *testing.T) {
	path := auditLog(t, 3)
	edit(t, path, func(tx *bolt.Tx) error {
		var e AuditEntry
		json.Unmarshal(tx.Bucket(bAudit).Get(seqKey(3)), &e)
		e.Who = "Bakhyt"
		e.Hash = e.digest()
		v, _ := json.Marshal(e)
		return tx.Bucket(bAudit).Put(seqKey(3), v)
	})
	if _, broken := verify(t, path); broken == nil || broken.Seq != 3 || broken.Reason != BreakAltered {
		t.Fatal(broken)
	}
	// Without the head at all, the log is not whole either.
	path = auditLog(t, 3)
	edit(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bSettings).Delete([]byte(settingAuditHead)) })
	if _, broken := verify(t, path); broken == nil || broken.Seq != 3 || broken.Reason != BreakHead {
		t.Fatal(broken)
	}
}
