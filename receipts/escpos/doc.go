package escpos

// Align is where a line sits across the paper (ESC a).
type Align int

const (
	Left Align = iota
	Center
	Right
)

func (a Align) String() string {
	switch a {
	case Center:
		return "center"
	case Right:
		return "right"
	}
	return "left"
}

// Style is how a line prints.
type Style struct {
	Align Align
	Bold  bool
	// Tall is double height; Wide double width, so a line holds half the
	// profile's columns (GS !).
	Tall, Wide bool
}

// Doc is what to print, in order: lines, QR codes, feeds and cuts. The
// zero Doc is empty and ready.
type Doc struct {
	items []item
}

type itemKind int

const (
	itemText itemKind = iota
	itemQR
	itemFeed
	itemCut
)

type item struct {
	kind  itemKind
	text  string // the line, or the QR code's payload
	style Style
	n     int // lines to feed
}

// Line adds a line as laid out, from the left. It should fit the profile's
// columns (receipts.Render's lines do); a longer one goes on to the next
// line, as a printer wraps text itself.
func (d *Doc) Line(s string) { d.Styled(s, Style{}) }

// Lines adds lines as laid out, each as Line does.
func (d *Doc) Lines(lines ...string) {
	for _, s := range lines {
		d.Line(s)
	}
}

// Styled adds a line printed in style st.
func (d *Doc) Styled(s string, st Style) {
	d.items = append(d.items, item{kind: itemText, text: s, style: st})
}

// Heading adds a line centred, bold and double height: TRAINING at both
// ends of a training receipt, COPY on a reprint.
func (d *Doc) Heading(s string) {
	d.Styled(s, Style{Align: Center, Bold: true, Tall: true})
}

// QR adds a QR code holding payload, centred: drawn by the printer where
// the profile says it can (GS ( k), sent as an image otherwise.
func (d *Doc) QR(payload string) {
	d.items = append(d.items, item{kind: itemQR, text: payload})
}

// Feed adds n empty lines.
func (d *Doc) Feed(n int) {
	if n > 0 {
		d.items = append(d.items, item{kind: itemFeed, n: n})
	}
}

// Cut feeds the paper past the cutter and cuts it. Encode ends every
// document with a cut, so Cut is only needed between two parts of one
// print (a receipt and its QR slip).
func (d *Doc) Cut() { d.items = append(d.items, item{kind: itemCut}) }

// Len is how many items (lines, codes, feeds, cuts) d holds.
func (d *Doc) Len() int { return len(d.items) }
