package history

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/viewport"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kassa-till/kassa/providers"
	"github.com/kassa-till/kassa/receipts"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// chrome is the lines the root draws around a screen: the header (two),
// a blank line above and below, the help line, and one spare for a
// warning under the header.
const chrome = 6

// column is one column of the list. Columns that do not fit the terminal
// are left out, highest drop first; the rest keep the list's order.
type column struct {
	head  string
	min   int  // at least this wide, whatever the rows hold
	right bool // numbers line up on the right
	drop  int  // 0: always shown
	cell  func(store.Row) string
}

func (m Model) columns() []column {
	t := m.c.T
	cols := []column{
		{head: t("history.col_time"), min: 16, cell: func(r store.Row) string { return r.Created.Format("02.01.2006 15:04") }},
		{head: t("history.col_amount"), min: 10, right: true, cell: func(r store.Row) string { return m.c.Money(r.Amount) }},
		{head: t("history.col_status"), min: m.statusWidth(), cell: m.status},
		{head: t("history.col_method"), min: longest(m.c, "receipt.method_", providers.MethodQR, providers.MethodCard), drop: 2, cell: func(r store.Row) string {
			if r.Method == "" {
				return ""
			}
			return m.c.TFor(r.Provider, "receipt.method_"+string(r.Method))
		}},
		{head: t("history.col_provider"), drop: 4, cell: func(r store.Row) string { return t("provider." + r.Provider) }},
		{head: t("history.col_terminal"), drop: 3, cell: func(r store.Row) string { return r.Terminal }},
		{head: t("history.col_receipt"), min: 6, cell: func(r store.Row) string { return r.Receipt() }},
		{head: t("history.col_number"), drop: 1, cell: func(r store.Row) string { return r.Number }},
	}
	if m.chain != nil {
		// Where first: a receipt number is a till's own.
		cols = slices.Insert(cols, 1, column{head: t("centralhistory.col_where"), cell: func(r store.Row) string { return r.Shop + " · " + r.Till }})
	}
	if m.query.Kind == store.KindRefund {
		// A chain's rows are wider by their shop and till: there, too narrow
		// a terminal leaves the payment's receipt to the detail.
		drop := 0
		if m.chain != nil {
			drop = 1
		}
		cols = append(cols, column{head: t("history.col_original"), min: 6, drop: drop, cell: func(r store.Row) string {
			if r.PaymentID == 0 {
				return ""
			}
			return r.PaymentID.Receipt()
		}})
	}
	return cols
}

// status is a row's status: a payment paid and never fiscalized says so
// instead of "done", which it is not quite.
func (m Model) status(r store.Row) string {
	if r.Fiscal == store.FiscalMissing {
		return m.c.T("history.state_not_fiscalized")
	}
	return m.c.T("history.state." + string(r.State))
}

// statusWidth is as wide as the longest status the till can show: "not
// fiscalized" only where one of its providers registers fiscal receipts.
func (m Model) statusWidth() int {
	n := longest(m.c, "history.state.", store.AllStates...)
	if m.chain != nil || m.c.Providers != nil && slices.ContainsFunc(m.c.Providers.All(), func(p providers.Provider) bool {
		_, ok := p.(providers.Fiscalizer)
		return ok
	}) {
		n = max(n, lipgloss.Width(m.c.T("history.state_not_fiscalized")))
	}
	return n
}

// longest is the width of the longest of the catalog's texts prefix+v,
// so a column keeps its width as the rows in view change.
func longest[T ~string](c *common.Common, prefix string, vs ...T) int {
	n := 0
	for _, v := range vs {
		n = max(n, lipgloss.Width(c.T(prefix+string(v))))
	}
	return n
}

// layout fits the columns into width: each as wide as its widest cell in
// the window, then the droppable ones left out until the line fits.
func (m Model) layout(width int) ([]column, []int) {
	cols := m.columns()
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = max(c.min, lipgloss.Width(c.head))
		for _, r := range m.rows {
			widths[i] = max(widths[i], lipgloss.Width(c.cell(r)))
		}
	}
	total := func() int {
		n := -2
		for _, w := range widths {
			n += w + 2
		}
		return n
	}
	for drop := 4; drop > 0 && total() > width; drop-- {
		for i := len(cols) - 1; i >= 0; i-- {
			if cols[i].drop == drop {
				cols, widths = append(cols[:i:i], cols[i+1:]...), append(widths[:i:i], widths[i+1:]...)
			}
		}
	}
	return cols, widths
}

func line(cols []column, widths []int, cell func(column) string) string {
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteString("  ")
		}
		text := cell(c)
		pad := strings.Repeat(" ", max(widths[i]-lipgloss.Width(text), 0))
		if c.right {
			b.WriteString(pad + text)
		} else if i < len(cols)-1 {
			b.WriteString(text + pad)
		} else {
			b.WriteString(text)
		}
	}
	return b.String()
}

// pack joins pieces with sep into lines of at most width, breaking only
// between pieces: an amount is never split across two lines.
func pack(pieces []string, sep string, width int) string {
	var lines []string
	cur := ""
	for _, p := range pieces {
		switch {
		case cur == "":
			cur = p
		case lipgloss.Width(cur+sep+p) <= width:
			cur += sep + p
		default:
			lines, cur = append(lines, cur), p
		}
	}
	return strings.Join(append(lines, cur), "\n")
}

// width is the room for the screen's lines.
func (m Model) width() int { return max(m.c.Width-2, 40) }

// visibleRows is how many rows of the list fit under what the screen
// draws above and below them.
func (m Model) visibleRows() int {
	return max(m.c.Height-chrome-lipgloss.Height(m.top())-m.bottomLines(), 5)
}

// top is everything above the list: tabs, filters, the input field,
// totals and the column heads.
func (m Model) top() string {
	s, q, t := m.c.Styles, m.query, m.c.T
	tab := func(label string, on bool) string {
		if on {
			return s.Selected.Render("[" + label + "]")
		}
		return s.Muted.Render(" " + label + " ")
	}
	tabs := tab(t("history.payments"), q.Kind == store.KindPayment) + " " + tab(t("history.refunds"), q.Kind == store.KindRefund)
	method := t("history.method_all")
	if q.Method != "" {
		method = t("receipt.method_" + string(q.Method))
	}
	terminal := t("history.terminal_all")
	switch {
	case q.Terminal != "":
		terminal = q.Terminal
	case q.Provider != "":
		terminal = t("provider." + q.Provider)
	}
	filters := []string{
		s.Label.Render(t("history.period")) + " " + q.From.Format(dayLayout) + " – " + q.To.Format(dayLayout),
		s.Label.Render(t("history.method")) + " " + method,
		s.Label.Render(t("history.status")) + " " + t(statusName(q.States)),
		s.Label.Render(t("history.terminal")) + " " + terminal,
	}
	if m.chain != nil {
		place := t("centralhistory.place_all")
		switch {
		case q.Till != "":
			place = t("centralhistory.place_till", q.Shop, q.Till)
		case q.Shop != "":
			place = q.Shop
		}
		filters = slices.Insert(filters, 1, s.Label.Render(t("centralhistory.place"))+" "+place)
	}
	if q.Search != "" {
		filters = append(filters, s.Label.Render(t("history.search"))+" "+q.Search)
	}
	parts := []string{tabs, pack(filters, "   ", m.width())}
	prompt := map[input]string{searching: "history.search_prompt", choosingPeriod: "history.period_prompt"}[m.input]
	if prompt != "" {
		// The field beside its label, or under it where both do not fit.
		label, field := s.Label.Render(t(prompt)), m.text.View()
		if lipgloss.Width(label)+1+lipgloss.Width(field) <= m.width() {
			parts = append(parts, label+" "+field)
		} else {
			parts = append(parts, label, field)
		}
	}
	tot := m.totals
	totals := t("history.totals", m.c.Count(tot.Payments), m.c.Money(tot.Paid), m.c.Count(tot.Refunds), m.c.Money(tot.Refunded), m.c.Money(tot.Net()))
	parts = append(parts, s.Muted.Render(pack(strings.Split(totals, " · "), " · ", m.width())))
	if line := m.silentLine(); line != "" {
		parts = append(parts, s.Warn.Width(m.width()).Render(line))
	}
	parts = append(parts, "")
	if m.byTillShown {
		return lipgloss.JoinVertical(lipgloss.Left, parts...)
	}
	cols, widths := m.layout(m.width() - 2)
	head := line(cols, widths, func(c column) string { return c.head })
	return lipgloss.JoinVertical(lipgloss.Left, append(parts, s.Label.Render(ansi.Truncate("  "+head, m.width(), "…")))...)
}

// bottomLines is how many lines the message under the list takes.
func (m Model) bottomLines() int {
	if m.message == "" {
		return 0
	}
	return 1 + lipgloss.Height(m.messageView())
}

func (m Model) messageView() string {
	style := m.c.Styles.OK
	if m.problem {
		style = m.c.Styles.Problem
	}
	return style.Width(max(min(m.width()-2, 100), 30)).Render(m.message)
}

// View draws the screen body.
func (m Model) View() string {
	if m.detail != nil {
		return m.detailView()
	}
	parts := []string{m.top()}
	switch {
	case m.byTillShown:
		parts = append(parts, m.byTillView())
		if m.message != "" {
			parts = append(parts, "", m.messageView())
		}
		return lipgloss.JoinVertical(lipgloss.Left, parts...)
	case len(m.rows) == 0 && m.elsewhere != nil:
		r := m.elsewhere
		hint := m.c.T("history.elsewhere", m.c.T("history.kind."+string(r.Kind)), r.Receipt(), r.Created.Format("02.01.2006"))
		parts = append(parts, lipgloss.NewStyle().PaddingLeft(2).Render(m.c.Styles.Warn.Width(m.width()-2).Render(hint)))
	case len(m.rows) == 0:
		parts = append(parts, m.c.Styles.Muted.Render("  "+m.c.T("history.empty")))
	}
	cols, widths := m.layout(m.width() - 2)
	parts = append(parts, m.c.ListWindow(len(m.rows), m.cursor, m.visibleRows(), func(i int) string {
		r := m.rows[i]
		return ansi.Truncate(line(cols, widths, func(c column) string { return c.cell(r) }), m.width()-2, "…")
	})...)
	if m.message != "" {
		parts = append(parts, "", m.messageView())
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// detailView is the detail: its title, then the rest in a viewport as
// tall as the screen allows, with a line above or below saying how much
// more there is that way.
func (m Model) detailView() string {
	pane := m.detailPane()
	above, below := pane.YOffset(), pane.TotalLineCount()-pane.YOffset()-pane.Height()
	scrolls := pane.TotalLineCount() > pane.Height()
	// Under the title, the blank line says what lies above when scrolled.
	parts := []string{m.detailTitle(), m.moreLine("history.more_above", above), pane.View()}
	if scrolls {
		parts = append(parts, m.moreLine("history.more_below", below))
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// moreLine says n more lines lie that way, or is blank for none: the
// pane does not jump when it reaches an end.
func (m Model) moreLine(key string, n int) string {
	if n <= 0 {
		return ""
	}
	return m.c.Styles.Muted.Render(m.c.N(key, n, n))
}

func (m Model) detailTitle() string {
	d := m.detail
	if d.err != nil {
		return m.c.Styles.Problem.Render(m.readFailed(d.err))
	}
	return m.c.Styles.Title.Render(m.c.T("history.detail_title", m.c.T("history.kind."+string(d.op.Kind)), d.op.Receipt()))
}

// detailPane is the detail's body in a viewport.
func (m Model) detailPane() viewport.Model {
	text := m.detailText()
	room := max(m.c.Height-chrome-2, 5) // the title and the line under it
	if lipgloss.Height(text) > room {
		room-- // for the line that says how much more lies below
	}
	vp := m.pane
	vp.SetWidth(m.width())
	vp.SetHeight(min(lipgloss.Height(text), room))
	vp.SetContent(text)
	return vp
}

// detailText is everything the data file holds of one operation, in the
// catalog's words, each line within the screen's width.
func (m Model) detailText() string {
	s, d, t := m.c.Styles, m.detail, m.c.T
	if d.err != nil {
		return ""
	}
	op := d.op
	width := m.width()
	var lines []string
	add := func(label, value string) {
		if value != "" {
			lines = append(lines, hang(s.Label.Render(fmt.Sprintf("%-*s", fieldLabel, t(label))), value, width))
		}
	}
	when := func(at time.Time) string {
		if at.IsZero() {
			return ""
		}
		return at.Format("02.01.2006 15:04:05")
	}
	section := func(title string, kvs [][2]string) {
		var rows []string
		for _, kv := range kvs {
			if kv[1] != "" {
				rows = append(rows, hang("  "+s.Label.Render(fmt.Sprintf("%-*s", sectionLabel, t(kv[0])))+" ", kv[1], width))
			}
		}
		if len(rows) > 0 {
			lines = append(append(lines, "", s.Label.Render(t(title))), rows...)
		}
	}
	if m.chain != nil {
		if m.refusal != "" { // first: a long detail would hide it below
			lines = append(lines, s.Problem.Width(width).Render(m.refusal), "")
		}
		add("centralhistory.d_shop", d.at.Shop)
		add("centralhistory.d_till", d.at.Till)
	}
	add("history.d_amount", m.c.Money(op.Amount))
	add("history.d_state", m.state(op, d.refunds))
	add("history.d_created", when(op.Created))
	add("history.d_finished", when(op.Finished))
	add("history.d_provider", t("provider."+op.Provider))
	if op.Method != "" {
		add("history.d_method", m.c.TFor(op.Provider, "receipt.method_"+string(op.Method)))
	}
	if sale := op.Sale; sale != nil {
		add("history.d_sold", sale.Product)
		contact := receipts.MaskContact(sale.Contact)
		if contact == "" {
			contact = t("history.d_customer_default")
		}
		add("receipt.customer", contact)
	}
	add("history.d_number", op.TransactionID)
	if op.Ref != op.TransactionID {
		add("history.d_ref", op.Ref) // OCTO's payment UUID is both
	}
	if line := m.fiscalState(op); line != "" {
		add("history.d_fiscal_state", line)
	}
	switch {
	case m.c.Printer == nil && op.Printed.IsZero() && op.PrintError == "":
	case !op.Printed.IsZero():
		add("history.d_printed", m.c.N("history.printed", op.Prints, when(op.Printed), op.Prints))
	case op.PrintError != "":
		add("history.d_printed", t("history.not_printed", op.PrintError))
	}
	if m.printErr != "" {
		lines = append(lines, hang(strings.Repeat(" ", fieldLabel), s.Problem.Render(m.printErr), width))
	}
	if m.refusal != "" && m.chain == nil {
		lines = append(lines, hang(strings.Repeat(" ", fieldLabel), s.Problem.Render(m.refusal), width))
	}
	add("history.d_message", op.Message)
	if e := op.Error; e != nil {
		text := t("error." + string(e.Kind))
		switch {
		case e.Text != "" && e.Code != "":
			text += " " + t("error.provider_code", e.Text, e.Code)
		case e.Text != "" && e.HTTPStatus != 0:
			// As on the sale screen: only words the provider sent are its
			// words; an error with no answer carries the till's own text,
			// which the sentence above says in the reader's language.
			text += " " + t("error.provider_text", e.Text)
		case e.HTTPStatus != 0:
			text += " " + t("error.http", e.HTTPStatus)
		}
		add("history.d_error", text)
	}
	add("history.d_cashier", op.Cashier)
	add("history.d_note", m.note(op.Provider, op.Note, ""))
	if op.PaymentID != 0 {
		add("history.d_original", op.PaymentID.Receipt())
	}
	if d.left != nil {
		add("history.d_left", m.c.Money(*d.left))
	}
	if c := op.Check; c != nil {
		paid := t("history.d_check_unpaid")
		if c.Paid {
			paid = t("history.d_check_paid")
		}
		add("history.d_check", strings.Join(slices.DeleteFunc([]string{paid, c.By, when(c.At), c.Note}, func(v string) bool { return v == "" }), " · "))
	}
	if f := op.Fiscal; f != nil {
		section("history.d_fiscal", [][2]string{{"receipt.fiscal_terminal", f.TerminalID}, {"receipt.fiscal_receipt", f.ReceiptID},
			{"receipt.fiscal_time", receipts.FiscalTime(f.DateTime)}, {"receipt.fiscal_sign", f.FiscalSign}, {"history.d_fiscal_qr", breakLink(f.QRCodeURL, width-sectionLabel-3)}})
	}
	if o := op.Offer; o != nil {
		loan := ""
		if o.LoanTerm > 0 {
			loan = strconv.Itoa(o.LoanTerm)
		}
		section("history.d_offer", [][2]string{{"history.d_product", m.product(o.ProductType)}, {"history.d_loan_offer", o.LoanOfferName}, {"history.d_loan_term", loan}})
	}
	if c := op.Cheque; c != nil {
		section("history.d_cheque", [][2]string{{"receipt.store", c.StoreName}, {"receipt.city", c.City}, {"receipt.address", c.Address},
			{"receipt.bin", c.BIN}, {"receipt.terminal", c.TerminalID}, {"receipt.order_number", c.OrderNumber}, {"receipt.rrn", c.RRN},
			{"receipt.card", c.CardMask}, {"receipt.card_type", c.ICC}, {"receipt.auth_code", c.AuthorizationCode},
			{"receipt.host_code", c.HostResponseCode}, {"receipt.pin_entered", m.yesNo(c.PinEntered)}, {"receipt.amount", c.Amount},
			{"receipt.date", c.Date}, {"receipt.status", c.Status}})
	}
	if len(d.refunds) > 0 {
		lines = append(lines, "", s.Label.Render(t("history.d_refunds")))
		rw := common.ReceiptWidth(d.refunds)
		for _, r := range d.refunds {
			lines = append(lines, fmt.Sprintf("  %-*s  %s  %12s  %s", rw, r.Receipt(), r.Created.Format("02.01.2006 15:04"),
				m.c.Money(r.Amount), t("history.state."+string(r.State))))
		}
	}
	if len(op.History) > 0 {
		lines = append(lines, "", s.Label.Render(t("history.d_events")))
		states := make([]string, len(op.History))
		w := 0
		for i, e := range op.History {
			states[i] = t("history.state." + string(e.State))
			if e.State == store.StateCreated {
				states[i] = t("history.event_created") // "sent?" reads wrong at the start of the story
			}
			w = max(w, lipgloss.Width(states[i]))
		}
		for i, e := range op.History {
			// What the POS was doing in the catalog's words; its own name
			// for the step stays in the data file.
			stage := ""
			if e.Stage != "" {
				stage = t("history.stage." + string(e.Stage))
			}
			said := ""
			if e.Message != "" {
				said = t("error.provider_text", e.Message)
			}
			text := e.Text
			if op.Check != nil && text == op.Check.Note {
				text = "" // the check's line above has the person's words
			}
			what := strings.Join(slices.DeleteFunc([]string{stage, m.note(op.Provider, e.Note, text), said}, func(v string) bool { return v == "" }), " · ")
			head := fmt.Sprintf("  %s  %-*s  ", e.At.Format("02.01 15:04:05"), w, states[i])
			if what == "" {
				lines = append(lines, strings.TrimRight(head, " "))
				continue
			}
			if lipgloss.Width(head)+min(lipgloss.Width(what), 20) > width {
				head = fmt.Sprintf("  %s  %s  ", e.At.Format("02.01 15:04:05"), states[i]) // a narrow screen: no column
			}
			lines = append(lines, hang(head, what, width))
		}
	}
	return lipgloss.JoinVertical(lipgloss.Left, lines...)
}

// fiscalState says how a paid payment's fiscal receipt stands where it
// is not registered yet: still asked for, with the provider's last word,
// asked for again by a person, or never come; "" where it is registered
// (its block says the rest) or its provider registers none.
func (m Model) fiscalState(op store.Operation) string {
	s, t := m.c.Styles, m.c.T
	said := ""
	if op.FiscalError != "" {
		said = " " + t("history.fiscal_said", op.FiscalError)
	}
	switch {
	case m.asking == op.ID && op.NotFiscalized(), op.FiscalDue() && !op.FiscalSince.IsZero():
		return s.Warn.Render(t("history.fiscal_asking") + said)
	case op.FiscalDue():
		return s.Warn.Render(t("history.fiscal_pending") + said)
	case op.NotFiscalized():
		text := s.Bad.Render(t("history.fiscal_missing")) + said
		if m.canAskFiscal() {
			text += " " + t("history.fiscal_ask_hint", m.c.Keys.AskFiscal.Help().Key, t("provider."+op.Provider))
		}
		return text
	}
	return ""
}

// fieldLabel and sectionLabel are how wide the detail's labels are, on
// their own and in a section.
const (
	fieldLabel   = 22
	sectionLabel = 20
)

// breakLink splits a link too long for room into lines before a '?' or
// '&' where it can, so each line reads as whole parameters; only a
// parameter longer than room is cut inside.
func breakLink(s string, room int) string {
	room = max(room, 20)
	var lines []string
	for len(s) > room {
		cut := strings.LastIndexAny(s[1:room+1], "?&") + 1
		if cut <= 0 {
			cut = room
		}
		lines, s = append(lines, s[:cut]), s[cut:]
	}
	return strings.Join(append(lines, s), "\n")
}

// hang is head followed by text wrapped to what is left of width, the
// lines after the first under the first: a long note never runs off the
// screen or under the labels.
func hang(head, text string, width int) string {
	indent := lipgloss.Width(head)
	room := max(width-indent, 20)
	wrapped := strings.Split(lipgloss.NewStyle().Width(room).Render(text), "\n")
	for i := range wrapped {
		wrapped[i] = strings.TrimRight(wrapped[i], " ")
		if i > 0 {
			wrapped[i] = strings.Repeat(" ", indent) + wrapped[i]
		}
	}
	return head + strings.Join(wrapped, "\n")
}

// state is the operation's status for its detail: a payment that took
// money says how much of it went back.
func (m Model) state(op store.Operation, refunds []store.Operation) string {
	if tookMoney(op.Kind, op.State) {
		var back int64
		for _, r := range refunds {
			if r.State == store.StateSuccess {
				back += r.Amount.Minor
			}
		}
		switch {
		case back >= op.Amount.Minor:
			return m.c.T("history.state_refunded")
		case back > 0:
			return m.c.T("history.state_partly_refunded", m.c.Money(providers.New(back, op.Amount.Currency)))
		}
	}
	return m.c.T("history.state." + string(op.State))
}

// product is Kaspi's name for what paid (addInfo.ProductType) in the
// catalog's words, as the provider wrote it where the catalog has none.
func (m Model) product(p string) string {
	switch p {
	case "Gold":
		return m.c.T("history.product.gold")
	case "Red":
		return m.c.T("history.product.red")
	case "Credit":
		return m.c.T("history.product.credit")
	case "BusinessAccount":
		return m.c.T("history.product.business_account")
	case "BankIntegrationAccount":
		return m.c.T("history.product.bank_integration_account")
	}
	return p
}

// yesNo is a flag the POS wrote as "true" or "false" in the reader's words.
func (m Model) yesNo(v string) string {
	switch v {
	case "true":
		return m.c.T("receipt.yes")
	case "false":
		return m.c.T("receipt.no")
	}
	return v
}

// note is an operation's note in the catalog's words, with a person's own
// words after it: the till writes a code (store.Note…); older files hold
// English text, shown as it is, and a check as "checked: " and the words.
func (m Model) note(provider, n, text string) string {
	if rest, ok := strings.CutPrefix(n, "checked: "); ok {
		n, text = store.NoteChecked, rest
	}
	if n != "" && m.c.Cat.Has("note."+n) {
		n = m.c.TFor(provider, "note."+n) // in the provider's words: a POS, a cabinet
	}
	switch {
	case text == "":
		return n
	case n == "":
		return text
	}
	return m.c.T("history.note_text", n, text)
}

// silentLine names the tills that have not reached the server for a day
// (their last operations may be missing here), the first few of them.
func (m Model) silentLine() string {
	silent := m.silent()
	if len(silent) == 0 {
		return ""
	}
	const named = 3
	var names []string
	for _, t := range silent[:min(len(silent), named)] {
		names = append(names, m.c.T("centralhistory.silent_till", t.Shop, t.Till, t.Seen.Format("02.01.2006 15:04")))
	}
	line := m.c.N("centralhistory.silent", len(silent), strings.Join(names, ", "))
	if len(silent) > named {
		line += " " + m.c.N("centralhistory.silent_more", len(silent)-named, len(silent)-named)
	}
	return line
}

// byTillView is the period's totals per shop, till and provider, one line
// each, in columns, as many as fit under the top.
func (m Model) byTillView() string {
	t := m.c.T
	if len(m.byTill) == 0 {
		return m.c.Styles.Muted.Render("  " + t("centralhistory.no_totals"))
	}
	head := []string{t("centralhistory.col_shop"), t("centralhistory.col_till"), t("history.col_provider"),
		t("centralhistory.col_payments"), t("centralhistory.col_paid"), t("centralhistory.col_refunds"), t("centralhistory.col_refunded"), t("centralhistory.col_net")}
	right := []bool{false, false, false, true, true, true, true, true}
	table := [][]string{head}
	for _, one := range m.byTill {
		table = append(table, []string{one.Shop, one.Till, t("provider." + one.Provider), m.c.Count(one.Payments), m.c.Money(one.Paid),
			m.c.Count(one.Refunds), m.c.Money(one.Refunded), m.c.Money(one.Net())})
	}
	widths := make([]int, len(head))
	for _, row := range table {
		for i, cell := range row {
			widths[i] = max(widths[i], lipgloss.Width(cell))
		}
	}
	// Too wide: the counts go first, then the provider; the money stays.
	for _, drop := range []int{5, 3, 2} {
		total := 2
		for i, w := range widths {
			if w > 0 {
				total += w + 2*min(i, 1)
			}
		}
		if total <= m.width() {
			break
		}
		widths[drop] = 0
	}
	room := max(m.c.Height-chrome-lipgloss.Height(m.top())-m.bottomLines(), 3)
	var lines []string
	for i, row := range table {
		if i == room-1 && len(table) > room {
			lines = append(lines, m.c.Styles.Muted.Render("  "+m.c.N("centralhistory.more_rows", len(table)-i, len(table)-i)))
			break
		}
		var b strings.Builder
		for j, cell := range row {
			if widths[j] == 0 {
				continue
			}
			if j > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[j]-lipgloss.Width(cell))
			if right[j] {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
		}
		text := ansi.Truncate("  "+strings.TrimRight(b.String(), " "), m.width(), "…")
		if i == 0 {
			text = m.c.Styles.Label.Render(text)
		}
		lines = append(lines, text)
	}
	return strings.Join(lines, "\n")
}
