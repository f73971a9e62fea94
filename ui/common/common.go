// Package common is what every screen shares: the catalog, styles, keys,
// clock, store and provider, and the terminal size. One pointer to it is
// handed to each screen, in the manner of soft-serve's common.Common.
package common

import (
	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/providers/clock"
	"github.com/kassa-till/kassa/store"
)

// Shop is the merchant as printed at the top of the till's receipts.
type Shop struct {
	Name    string `toml:"name"`
	Address string `toml:"address"`
	BIN     string `toml:"bin"`
}

// Common is shared by all screens.
type Common struct {
	Cat      *locale.Catalog
	Styles   Styles
	Keys     KeyMap
	Clock    clock.Clock
	Store    *store.Store
	Provider providers.Provider
	Shop     Shop
	Cashier  string
	// Demo marks a till running on built-in simulators with its own data
	// file: nothing real is touched, and every screen says so.
	Demo bool
	// Insecure is set when the POS's certificate is not verified; every
	// screen says so.
	Insecure bool
	// ReceiptWidth is the printer's width in columns: 32, 42 or 48.
	ReceiptWidth int

	Width, Height int
}

// T is short for c.Cat.T.
func (c *Common) T(key string, args ...any) string { return c.Cat.T(key, args...) }

// Money formats an amount for the screen: "12 500 ₸".
func (c *Common) Money(m providers.Money) string {
	return m.Grouped() + " " + m.Currency.Symbol
}
