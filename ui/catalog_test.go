package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/store"
)

// Every literal key passed to T in the UI and the command must be in the
// catalog, so no cashier ever reads "!sale.title".
func TestEveryKeyUsedIsInTheCatalog(t *testing.T) {
	en := locale.MustLoad("en")
	fset := token.NewFileSet()
	for _, root := range []string{".", "../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "T" {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				key, _ := strconv.Unquote(lit.Value)
				if !en.Has(key) {
					t.Errorf("%s: key %q is not in the catalog", fset.Position(lit.Pos()), key)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Keys built at run time: one per stage, error kind and provider.
func TestDynamicKeysAreInTheCatalog(t *testing.T) {
	en := locale.MustLoad("en")
	var keys []string
	for _, s := range providers.Stages {
		keys = append(keys, "stage."+string(s))
	}
	for _, k := range providers.ErrorKinds {
		keys = append(keys, "error."+string(k))
	}
	// Every label a receipt asks for.
	keys = append(keys, receipts.LabelKeys()...)
	for _, p := range []string{"kaspi", "uzqr", "monetix", "octo"} {
		keys = append(keys, "provider."+p)
	}
	// The history's states, kinds and methods, and export's kinds.
	for _, st := range store.AllStates {
		keys = append(keys, "history.state."+string(st))
	}
	keys = append(keys, "history.kind.payment", "history.kind.refund", "receipt.method_qr", "receipt.method_card",
		"cli.exported_payments", "cli.exported_refunds")
	for _, k := range keys {
		if !en.Has(k) {
			t.Errorf("catalog lacks %q", k)
		}
	}
}
