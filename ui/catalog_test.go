package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/kaspi/sim"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/receipts/printer"
	"github.com/kassa-till/kassa/store"
)

// catalogCall is a call that gives a catalog key to T (or to kt, the sale
// screen's T with a refund's own wording, or t, a screen's short name
// for T), found in the module's sources.
type catalogCall struct {
	pos string
	// key is the literal key, or for a key built at run time the literal
	// it begins with ("stage." + stage), prefix set.
	key    string
	prefix bool
	// args is how many arguments follow the key; -1 where they are
	// passed on as a slice (args...).
	args int
}

// catalogCalls finds every call of T, kt or t whose key is a literal or
// begins with one, in every package of the module. Keys held in a
// variable are left to the screens' own tests, which fail on "%!" and
// "!key".
func catalogCalls(t *testing.T) []catalogCall {
	t.Helper()
	var calls []catalogCall
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || !callsCatalog(call.Fun) {
				return true
			}
			c := catalogCall{pos: fset.Position(call.Pos()).String(), args: len(call.Args) - 1}
			if call.Ellipsis.IsValid() {
				c.args = -1
			}
			switch key := call.Args[0].(type) {
			case *ast.BasicLit:
				c.key, ok = stringLit(key)
			case *ast.BinaryExpr:
				lit, isLit := key.X.(*ast.BasicLit)
				if key.Op == token.ADD && isLit {
					c.key, ok = stringLit(lit)
					c.prefix = true
				} else {
					ok = false
				}
			default:
				ok = false
			}
			if ok {
				calls = append(calls, c)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 100 {
		t.Fatalf("only %d calls found: the scan misses the sources", len(calls))
	}
	return calls
}

func callsCatalog(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		return f.Sel.Name == "T" || f.Sel.Name == "kt" || f.Sel.Name == "t"
	case *ast.Ident:
		return f.Name == "t"
	}
	return false
}

func stringLit(lit *ast.BasicLit) (string, bool) {
	if lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// Every literal key passed to T must be in the catalog, so no cashier
// ever reads "!sale.title".
func TestEveryKeyUsedIsInTheCatalog(t *testing.T) {
	en := locale.MustLoad("en")
	for _, c := range catalogCalls(t) {
		if !c.prefix && !en.Has(c.key) {
			t.Errorf("%s: key %q is not in the catalog", c.pos, c.key)
		}
	}
}

// Every text is given as many arguments as its verbs take, in every
// language: one too few shows "%!s(MISSING)", one too many
// "%!(EXTRA string=)".
func TestEveryTextGetsItsArguments(t *testing.T) {
	for _, c := range catalogCalls(t) {
		if c.prefix || c.args < 0 {
			continue
		}
		for _, lang := range locale.Languages() {
			cat := locale.MustLoad(lang)
			keys := []string{c.key}
			if cat.Has(c.key + "_refund") {
				keys = append(keys, c.key+"_refund") // kt's refund wording
			}
			for _, k := range keys {
				if verbs := locale.Verbs(cat.T(k)); len(verbs) != c.args {
					t.Errorf("%s: %s.toml %s takes %d arguments (%q), given %d", c.pos, lang, k, len(verbs), verbs, c.args)
				}
			}
		}
	}
}

// Keys built at run time, by the literal they begin with: every value
// the rest can take. A new kind of key built at run time must be added
// here, or the test fails.
func dynamicKeys() map[string][]string {
	strs := func(vs ...any) []string {
		var out []string
		for _, v := range vs {
			switch v := v.(type) {
			case string:
				out = append(out, v)
			case []providers.Stage:
				for _, s := range v {
					out = append(out, string(s))
				}
			case []providers.ErrorKind:
				for _, k := range v {
					out = append(out, string(k))
				}
			case []printer.ErrorKind:
				for _, k := range v {
					out = append(out, string(k))
				}
			case []store.State:
				for _, s := range v {
					out = append(out, string(s))
				}
			}
		}
		return out
	}
	methods := strs(string(providers.MethodQR), string(providers.MethodCard))
	kinds := strs(string(store.KindPayment), string(store.KindRefund))
	var behaviours []string
	for _, b := range []sim.Behaviour{sim.PayQR, sim.PayCard, sim.Decline, sim.NeverScan, sim.ScanNoConfirm, sim.UnknownThenSuccess, sim.UnknownThenFail} {
		behaviours = append(behaviours, string(b))
	}
	return map[string][]string{
		"printer.":         strs(printer.ErrorKinds),
		"stage.":           strs(providers.Stages),
		"history.stage.":   strs(providers.Stages),
		"error.":           strs(providers.ErrorKinds),
		"provider.":        {"kaspi", "uzqr", "monetix", "octo"},
		"history.state.":   strs(store.AllStates),
		"history.kind.":    kinds,
		"receipt.method_":  methods,
		"refund.hint_":     methods,
		"checks.kind_":     kinds,
		"checks.state_":    strs(string(store.StateNeedsCheck), string(store.StateTimeout)),
		"refund.state.":    {"done", "failed", "unknown", "pending"},
		"note.":            {store.NoteInterrupted, store.NoteUnknownToProvider, store.NoteNoAnswer, store.NoteUnresolvable, store.NoteChecked, store.NoteCancelled, store.NoteExpired, store.NoteHandedOver, store.NoteLate},
		"trainer.b.":       append(behaviours, "busy", "expired"),
		"cli.exported_":    {"payments", "refunds"},
		"auditlog.change.": {store.ChangeDisabled, store.ChangeEnabled, store.ChangePINReset, store.ChangeUnlocked},
		"auditlog.export.": {"payments", "refunds", "audit"},
		"auditlog.settle.": {"paid", "unpaid"},
		"signin.role_":     {string(store.RoleManager), string(store.RoleCashier)},
		"approval.":        append(slices.Clone(store.ApprovalActions), store.ActionAudit, store.ActionPeople, store.ActionCloseShift),
		"csv.header.":      store.CSVHeader,
		"csv.report.":      store.ShiftCSVHeader,
		"csv.fiscal.":      fiscalCodes(),
		"db.problem.": strs(string(store.ProblemNotData), string(store.ProblemHeader), string(store.ProblemFreelist),
			string(store.ProblemRead), string(store.ProblemPanic), string(store.ProblemBolt)),
		"csv.audit.":             store.AuditCSVHeader,
		"audit.kind.":            store.AuditKinds,
		"audit.reason.":          {store.BreakAltered, store.BreakMissing, "out_of_order", store.BreakUnreadable, store.BreakHead},
		"people.needs_approver_": {store.ActionRefund, store.ActionExport, store.ActionKeys, store.ActionCloseShift},
		"people.added_":          {string(store.RoleManager), string(store.RoleCashier)},
		"people.role_":           {string(store.RoleManager), string(store.RoleCashier)},
		"people.done_":           {"disable", "enable", "reset_pin", "unlock"},
	}
}

// fiscalCodes are the words of the CSV's fiscal state column.
func fiscalCodes() []string {
	var out []string
	for _, f := range store.FiscalMarks {
		out = append(out, f.Code())
	}
	return out
}

// Every key built at run time is in every catalog, and takes as many
// arguments as the call that builds it passes.
func TestDynamicKeysAreInTheCatalog(t *testing.T) {
	families := dynamicKeys()
	for _, c := range catalogCalls(t) {
		if !c.prefix {
			continue
		}
		values, ok := families[c.key]
		if !ok {
			t.Errorf("%s: a key built at run time from %q: list its values in dynamicKeys", c.pos, c.key)
			continue
		}
		for _, lang := range locale.Languages() {
			cat := locale.MustLoad(lang)
			for _, v := range values {
				k := c.key + v
				if !cat.Has(k) {
					t.Errorf("%s: %s.toml lacks %q", c.pos, lang, k)
				} else if verbs := locale.Verbs(cat.T(k)); c.args >= 0 && len(verbs) != c.args {
					t.Errorf("%s: %s.toml %s takes %d arguments (%q), given %d", c.pos, lang, k, len(verbs), verbs, c.args)
				}
			}
		}
	}
	// Every label a receipt asks for, which it gives no arguments.
	for _, lang := range locale.Languages() {
		cat := locale.MustLoad(lang)
		for _, k := range receipts.LabelKeys() {
			if !cat.Has(k) {
				t.Errorf("%s.toml lacks the receipt's %q", lang, k)
			} else if verbs := locale.Verbs(cat.T(k)); verbs != "" {
				t.Errorf("%s.toml: the receipt's %s takes arguments (%q), given none", lang, k, verbs)
			}
		}
	}
}
