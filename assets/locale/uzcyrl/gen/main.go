// Command gen writes the Uzbek Cyrillic catalog from the Latin one:
//
//	go run ./uzcyrl/gen uz.toml uz-Cyrl.toml
//
// run by go generate ./assets/locale. Without a Latin catalog it writes
// nothing, and says so.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/kassa-till/kassa/assets/locale/uzcyrl"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen uz.toml uz-Cyrl.toml")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(from, to string) error {
	latin, err := os.ReadFile(from)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(os.Stderr, "gen: no %s, so no %s to write\n", from, to)
		return nil
	}
	if err != nil {
		return err
	}
	cyrl, err := uzcyrl.Catalog(latin)
	if err != nil {
		return err
	}
	return os.WriteFile(to, cyrl, 0o644)
}
