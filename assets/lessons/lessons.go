// Package lessons holds the training lessons shipped with kassa, and reads
// lesson files: a sequence of sales and refunds, what each customer does,
// and what the cashier is expected to do, in TOML.
//
//	title = { en = "First sales", ru = "Первые продажи" }
//
//	[[step]]
//	say = { en = "Bread, 450 ₸. The customer pays by QR.", ru = "…" }
//	customer = "qr"      # what the simulated customer does (see kassa demo --help)
//	do = "pay"           # what the trainee must do: pay or refund
//	amount = 450         # in tenge (soums with market = "uz")
//	expect = "paid"      # the outcome: paid, refunded, declined, timed_out, not_started, check
//	# for a refund: refund_of = 1, the step whose payment is refunded
package lessons

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/kassa-till/kassa/assets/locale/uzcyrl"
	"github.com/kassa-till/kassa/providers"
)

//go:embed *.toml
var shipped embed.FS

// Text is one text in several languages.
type Text map[string]string

// In returns the text in lang, or English. Uzbek in Cyrillic letters
// ("uz-Cyrl") is the text's own when it has one, else its Uzbek in Latin
// letters written in Cyrillic.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	if s, ok := t["uz"]; ok && lang == "uz-Cyrl" {
		return uzcyrl.FromLatin(s)
	}
	return t["en"]
}

// Lesson is a scripted training session.
type Lesson struct {
	Name  string `toml:"-"`
	Title Text   `toml:"title"`
	// Market is the country of the lesson's shop: kz (the default, Kaspi
	// Smart POS, tenge) or uz (UzQR, soums).
	Market string `toml:"market"`
	Steps  []Step `toml:"step"`
}

// Currency is the money the lesson's amounts are in.
func (l Lesson) Currency() providers.Currency {
	if l.Market == "uz" {
		return providers.UZS
	}
	return providers.KZT
}

// Step is one customer and what the trainee must do for them.
type Step struct {
	Say      Text   `toml:"say"`
	Customer string `toml:"customer"`
	Do       string `toml:"do"`
	Amount   int64  `toml:"amount"`
	Expect   string `toml:"expect"`
	RefundOf int    `toml:"refund_of"`
}

// Outcomes a step can expect.
var Outcomes = []string{"paid", "refunded", "declined", "timed_out", "cancelled", "not_started", "check"}

// Shipped lists the names of the lessons that come with kassa.
func Shipped() []string {
	entries, _ := fs.ReadDir(shipped, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(names)
	return names
}

// ErrUnknown is a lesson that is neither shipped nor a file that reads.
var ErrUnknown = errors.New("lessons: no such lesson")

// Load reads a lesson by the name of a shipped one or a file's path.
func Load(nameOrPath string) (Lesson, error) {
	raw, err := fs.ReadFile(shipped, nameOrPath+".toml")
	name := nameOrPath
	if err != nil {
		if raw, err = os.ReadFile(nameOrPath); err != nil {
			return Lesson{}, fmt.Errorf("lesson %q: not a shipped lesson (%s) nor a readable file: %w: %w", nameOrPath, strings.Join(Shipped(), ", "), ErrUnknown, err)
		}
	}
	var l Lesson
	if err := toml.Unmarshal(raw, &l); err != nil {
		return Lesson{}, fmt.Errorf("lesson %s: %w", nameOrPath, err)
	}
	l.Name = name
	if l.Market == "" {
		l.Market = "kz"
	}
	return l, l.validate()
}

// Customers is what a simulated customer can be told to do in each
// market, by the trainer panel's names, so lessons and the panel agree.
var Customers = map[string][]string{
	"kz": {"qr", "card", "decline", "never", "noconfirm", "unknown-success", "unknown-fail", "busy", "expired"},
	"uz": {"uz-pay", "uz-decline", "uz-never", "uz-pay-on-cancel", "uz-refund-done", "uz-refund-later", "uz-refund-fail"},
}

func (l Lesson) validate() error {
	if len(l.Steps) == 0 {
		return fmt.Errorf("lesson %s has no steps", l.Name)
	}
	customers, ok := Customers[l.Market]
	if !ok {
		return fmt.Errorf("lesson %s: market %q is not kz or uz", l.Name, l.Market)
	}
	var errs []error
	for i, s := range l.Steps {
		n := i + 1
		if s.Say.In("en") == "" {
			errs = append(errs, fmt.Errorf("step %d: say has no English text", n))
		}
		if !slices.Contains(customers, s.Customer) {
			errs = append(errs, fmt.Errorf("step %d: customer %q is not one of %s", n, s.Customer, strings.Join(customers, ", ")))
		}
		if s.Do != "pay" && s.Do != "refund" {
			errs = append(errs, fmt.Errorf("step %d: do %q must be pay or refund", n, s.Do))
		}
		if s.Amount <= 0 {
			errs = append(errs, fmt.Errorf("step %d: amount must be more than 0", n))
		}
		if !slices.Contains(Outcomes, s.Expect) {
			errs = append(errs, fmt.Errorf("step %d: expect %q is not one of %s", n, s.Expect, strings.Join(Outcomes, ", ")))
		}
		if s.Do == "refund" && (s.RefundOf < 1 || s.RefundOf >= n || l.Steps[s.RefundOf-1].Do != "pay") {
			errs = append(errs, fmt.Errorf("step %d: refund_of must name an earlier payment step", n))
		}
	}
	return errors.Join(errs...)
}
