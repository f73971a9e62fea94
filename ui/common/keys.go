package common

import (
	"charm.land/bubbles/v2/key"

	"github.com/kassa-till/kassa/assets/locale"
)

// KeyMap is every key binding of the till, in one place. Help texts come
// from the catalog so the footer speaks the cashier's language.
type KeyMap struct {
	Digits key.Binding
	Pay    key.Binding
	Delete key.Binding
	Clear  key.Binding
	Next   key.Binding
	Scroll key.Binding
	Quit   key.Binding
	// Help shows every key of the screen when the help line cannot.
	Help key.Binding

	// On an operation's screen.
	CancelOp   key.Binding // give up on a payment the till can withdraw
	HandOver   key.Binding // move a stuck operation to the operations to check
	PayAgain   key.Binding // the same amount again after a decline
	NewSale    key.Binding // a new sale instead
	Link       key.Binding // help only: type or scan the fiscal receipt's link
	SaveLink   key.Binding
	PickMethod key.Binding // help only: 1-9 picks the method
	// PickProduct and PhoneDigits are help only: a digit picks the
	// product; digits type the customer's phone.
	PickProduct key.Binding
	PhoneDigits key.Binding
	// FiscalQR shows the fiscal receipt's QR for the customer to scan.
	FiscalQR key.Binding
	// Print prints the receipt again, or the QR on a slip while waiting.
	Print   key.Binding
	PrintQR key.Binding

	// APIKey takes a gateway's new API key on its settings screen.
	APIKey key.Binding

	// In the history's search and period fields.
	ToList      key.Binding
	ClearSearch key.Binding
	ApplyPeriod key.Binding

	// Moving between screens and in lists.
	GoRefund key.Binding
	Back     key.Binding
	Up       key.Binding
	Down     key.Binding
	UpDown   key.Binding // help only
	Find     key.Binding
	Refund   key.Binding

	GoCheck   key.Binding
	Open      key.Binding
	NextField key.Binding
	Toggle    key.Binding
	Save      key.Binding

	GoSettings key.Binding
	Test       key.Binding
	PairKey    key.Binding
	AddressKey key.Binding
	// LanguageKey switches the till's language, on the settings screens.
	LanguageKey key.Binding
	// On the printer's settings screen, opened with PrinterKey.
	PrinterKey  key.Binding
	DeviceKey   key.Binding
	PaperKey    key.Binding
	ModeKey     key.Binding
	CodePageKey key.Binding
	AutoKey     key.Binding
	TestPage    key.Binding

	GoHistory   key.Binding
	Tab         key.Binding
	SearchKey   key.Binding
	Period      key.Binding
	MethodKey   key.Binding
	StatusKey   key.Binding
	TerminalKey key.Binding
	Export      key.Binding
	RefundRow   key.Binding
	PageUp      key.Binding
	PageDown    key.Binding
	Home        key.Binding
	End         key.Binding
	Paging      key.Binding // help only
	// ShowThere is Enter where a search names a match in another period.
	ShowThere key.Binding
	// BackToHistory is Enter after a refund started from the history.
	BackToHistory key.Binding
	HomeEnd       key.Binding // help only
	Filters       key.Binding // help only: method, status, terminal
	// ScrollDetail is help only: the history's detail scrolls.
	ScrollDetail key.Binding
	// AskFiscal asks the provider again for a not fiscalized payment's
	// fiscal receipt, from the history's detail.
	AskFiscal key.Binding
	// TillKey and ByTill are the chain's history's (kassa history
	// --central): the shop and till filter, and the totals per shop, till
	// and provider.
	TillKey key.Binding
	ByTill  key.Binding

	GoTrainer key.Binding
	Choose    key.Binding
	Day       key.Binding
	SpeedKey  key.Binding
	Wipe      key.Binding

	// People: signing in, locking the till, approving, reports.
	SignInKey  key.Binding
	ApproveKey key.Binding // Enter on the approval screen
	PINDigits  key.Binding // help only
	Lock       key.Binding
	GoReports  key.Binding
	GoAudit    key.Binding
	PeopleKey  key.Binding // on the settings screens
	XReport    key.Binding
	ZReport    key.Binding
	PrintKey   key.Binding
	AddKey     key.Binding
	DisableKey key.Binding
	ResetPIN   key.Binding
	UnlockKey  key.Binding
	RoleKey    key.Binding
}

// NewKeyMap returns the bindings with help in cat's language.
func NewKeyMap(cat *locale.Catalog) KeyMap {
	return KeyMap{
		Digits: key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ".", ","), key.WithHelp("0-9", cat.T("keys.digits"))),
		Pay:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.pay"))),
		Delete: key.NewBinding(key.WithKeys("backspace"), key.WithHelp("⌫", cat.T("keys.delete"))),
		Clear:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", cat.T("keys.clear"))),
		Next:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.next"))),
		Scroll: key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown", "home", "end"), key.WithHelp("↑/↓", cat.T("keys.scroll"))),
		Quit:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", cat.T("keys.quit"))),
		Help:   key.NewBinding(key.WithKeys("f1"), key.WithHelp("F1", cat.T("keys.help"))),

		CancelOp:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", cat.T("keys.cancel_op"))),
		HandOver:    key.NewBinding(key.WithKeys("f4"), key.WithHelp("F4", cat.T("keys.hand_over"))),
		PayAgain:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.pay_again"))),
		NewSale:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", cat.T("keys.next"))),
		Link:        key.NewBinding(key.WithKeys("h"), key.WithHelp("a-z", cat.T("keys.link"))),
		SaveLink:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.save_link"))),
		PickMethod:  key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", cat.T("keys.pick_method"))),
		PickProduct: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", cat.T("keys.pick_product"))),
		Print:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", cat.T("keys.print"))),
		PrintQR:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", cat.T("keys.print_qr"))),
		FiscalQR:    key.NewBinding(key.WithKeys("q"), key.WithHelp("q", cat.T("keys.fiscal_qr"))),
		PhoneDigits: key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("0-9", cat.T("keys.phone_digits"))),

		APIKey: key.NewBinding(key.WithKeys("k"), key.WithHelp("k", cat.T("keys.api_key"))),

		ToList:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.to_list"))),
		ClearSearch: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", cat.T("keys.clear_search"))),
		ApplyPeriod: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.apply_period"))),

		GoRefund: key.NewBinding(key.WithKeys("f2", "ctrl+r"), key.WithHelp("F2", cat.T("keys.go_refund"))),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", cat.T("keys.back"))),
		Up:       key.NewBinding(key.WithKeys("up")),
		Down:     key.NewBinding(key.WithKeys("down")),
		UpDown:   key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", cat.T("keys.choose"))),
		Find:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.find"))),
		Refund:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.refund"))),

		GoCheck:   key.NewBinding(key.WithKeys("f4"), key.WithHelp("F4", cat.T("keys.go_check"))),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.open"))),
		NextField: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", cat.T("keys.next_field"))),
		Toggle:    key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", cat.T("keys.toggle"))),
		Save:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.save"))),

		GoSettings: key.NewBinding(key.WithKeys("f9"), key.WithHelp("F9", cat.T("keys.go_settings"))),
		Test:       key.NewBinding(key.WithKeys("t"), key.WithHelp("t", cat.T("keys.test"))),
		PairKey:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", cat.T("keys.pair"))),
		AddressKey: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", cat.T("keys.address"))),

		LanguageKey: key.NewBinding(key.WithKeys("l"), key.WithHelp("l", cat.T("keys.language"))),
		PrinterKey:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", cat.T("keys.printer"))),
		DeviceKey:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", cat.T("keys.printer_device"))),
		PaperKey:    key.NewBinding(key.WithKeys("w"), key.WithHelp("w", cat.T("keys.printer_paper"))),
		ModeKey:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", cat.T("keys.printer_mode"))),
		CodePageKey: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", cat.T("keys.printer_codepage"))),
		AutoKey:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", cat.T("keys.printer_auto"))),
		TestPage:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", cat.T("keys.test_page"))),

		GoHistory:     key.NewBinding(key.WithKeys("f3"), key.WithHelp("F3", cat.T("keys.go_history"))),
		Tab:           key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", cat.T("keys.tab"))),
		SearchKey:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", cat.T("keys.search"))),
		Period:        key.NewBinding(key.WithKeys("d"), key.WithHelp("d", cat.T("keys.period"))),
		MethodKey:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", cat.T("keys.method"))),
		StatusKey:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", cat.T("keys.status"))),
		TerminalKey:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", cat.T("keys.terminal"))),
		Export:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", cat.T("keys.export"))),
		RefundRow:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", cat.T("keys.refund_row"))),
		PageUp:        key.NewBinding(key.WithKeys("pgup")),
		PageDown:      key.NewBinding(key.WithKeys("pgdown")),
		Home:          key.NewBinding(key.WithKeys("home")),
		End:           key.NewBinding(key.WithKeys("end")),
		ShowThere:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.show_there"))),
		BackToHistory: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.back_to_history"))),
		HomeEnd:       key.NewBinding(key.WithKeys("home", "end"), key.WithHelp("home/end", cat.T("keys.home_end"))),
		Paging:        key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", cat.T("keys.paging"))),
		ScrollDetail:  key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓", cat.T("keys.scroll_detail"))),
		Filters:       key.NewBinding(key.WithKeys("m", "s", "t"), key.WithHelp("m/s/t", cat.T("keys.filters"))),
		AskFiscal:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", cat.T("keys.ask_fiscal"))),
		TillKey:       key.NewBinding(key.WithKeys("k"), key.WithHelp("k", cat.T("centralhistory.key_till"))),
		ByTill:        key.NewBinding(key.WithKeys("b"), key.WithHelp("b", cat.T("centralhistory.key_by_till"))),

		GoTrainer: key.NewBinding(key.WithKeys("f8"), key.WithHelp("F8", cat.T("keys.go_trainer"))),
		Choose:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.choose_next"))),
		Day:       key.NewBinding(key.WithKeys("d"), key.WithHelp("d", cat.T("keys.day"))),
		SpeedKey:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", cat.T("keys.speed"))),
		Wipe:      key.NewBinding(key.WithKeys("w"), key.WithHelp("w w", cat.T("keys.wipe"))),

		SignInKey:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.sign_in"))),
		ApproveKey: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", cat.T("keys.approve"))),
		PINDigits:  key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("0-9", cat.T("keys.pin"))),
		Lock:       key.NewBinding(key.WithKeys("f12"), key.WithHelp("F12", cat.T("keys.lock"))),
		GoReports:  key.NewBinding(key.WithKeys("f5"), key.WithHelp("F5", cat.T("keys.go_reports"))),
		GoAudit:    key.NewBinding(key.WithKeys("f6"), key.WithHelp("F6", cat.T("keys.go_audit"))),
		PeopleKey:  key.NewBinding(key.WithKeys("u"), key.WithHelp("u", cat.T("keys.people"))),
		XReport:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", cat.T("keys.x_report"))),
		ZReport:    key.NewBinding(key.WithKeys("z"), key.WithHelp("z z", cat.T("keys.z_report"))),
		PrintKey:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", cat.T("keys.print_report"))),
		AddKey:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", cat.T("keys.add_person"))),
		DisableKey: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", cat.T("keys.disable_person"))),
		ResetPIN:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", cat.T("keys.reset_pin"))),
		UnlockKey:  key.NewBinding(key.WithKeys("o"), key.WithHelp("o", cat.T("keys.unlock_person"))),
		RoleKey:    key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", cat.T("keys.role"))),
	}
}
