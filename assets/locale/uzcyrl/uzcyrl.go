// Package uzcyrl writes Uzbek in Cyrillic letters from its Latin spelling,
// by the correspondence of the 1995 Latin alphabet to the Cyrillic one, so
// that the Cyrillic catalog is made from the Latin one and never drifts.
//
// Letters: oʻ→ў, gʻ→ғ (the mark may be ʻ, ', ‘, ’ or `), sh→ш, ch→ч,
// ng→нг, yo→ё (but yoʻ→йў), yu→ю, ya→я, ye→е, ʼ→ъ, sʼh→сҳ, h→ҳ, x→х,
// q→қ, j→ж, y→й. e is э at the start of a word and after a, e, o, u or oʻ,
// else е (after i it is е too: Latin writes klient for клиент as often as
// kliyent). ts is тс (ketsa, aytsin) except in loanwords: at the start of a
// word, in -tsiya and -tsion, and in the stems of words.go; -ksiya and
// -ksion are -кция, -кцион. Russian loanwords whose ь, ъ or ц the Latin
// spelling loses come from the stem list, with any Uzbek suffix after the
// stem (operatsiyalar→операциялар, apreldan→апрелдан).
//
// Case: each Latin letter or digraph keeps its case (Sh→Ш, SH→Ш, sh→ш),
// so a word keeps its pattern: lower, Title or UPPER.
//
// Left in Latin letters, as written:
//   - fmt verbs (%s, %[2]d, %-8s, % d, %%) and anything between backticks;
//   - flags (--db), URLs, e-mail addresses, paths (/dev/usb/lp0), file
//     and host names (kassa.db, *.toml, pos1.kaspipos.kz), HOST:PORT, TOML
//     tables ([octo], [[octo.products]]), HTTP headers (X-Api-Key) and
//     identifiers (shop_id, CASH_1, KASSA-000042); but an Uzbek word in capitals inside them stands for
//     what the cashier writes there and is Cyrillic (https://МАНЗИЛ:8080,
//     file:ЙЎЛ), as is a date's pattern in Uzbek letters (КК.ОО.ЙЙЙЙ;
//     YYYY-MM-DD stays);
//   - a command line: "kassa" and a subcommand after it (kassa db check,
//     kassa key uzqr), the command line's own words and values (words.go:
//     lang, kk, kz|uz), and a
//     shell command after sudo up to a placeholder in capitals;
//   - brands and keys (Kaspi, Smart, Click, Monetix, UzQR, Enter, Esc…)
//     in any case, technical abbreviations (QR, POS, API, INN, PINFL…), each
//     also with an Uzbek suffix after it (QRni→QRни, Kaspida→Kaspiда);
//   - words with digits (F4, lp0, 10m; but 5ta→5та), camelCase words
//     (terminalID), words with c outside ch or with w (callback), and
//     single letters other than u and o (keys such as k);
//   - a word in capitals that is not listed as an abbreviation is an
//     Uzbek word written in capitals (a heading, a placeholder such as
//     FAYL or KUN) and is written in Cyrillic capitals, unless it has no
//     vowel (CSV, RRN, MM) or has c or w; q, x or an apostrophe make it
//     Uzbek whatever else it has (QQS→ҚҚС, DSQ→ДСҚ, TOʻLANDI→ТЎЛАНДИ).
package uzcyrl

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FromLatin writes s, Uzbek in Latin letters, in Cyrillic letters.
func FromLatin(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], '`')
		if j < 0 {
			break
		}
		end := i + 1 + j + 1
		b.WriteString(text(s[:i]))
		b.WriteString(s[i:end])
		s = s[end:]
	}
	b.WriteString(text(s))
	return b.String()
}

// field is a run of non-space characters with the space before it, split
// into its leading and trailing punctuation and the core between.
type field struct{ space, lead, core, trail string }

const (
	leadPunct  = "(«\"“„<{'‘`"
	trailPunct = ".,;:!?)»\"”>}…'’‘`*"
)

func split(s string) []field {
	var out []field
	for s != "" {
		sp := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
		f := field{space: s[:sp]}
		s = s[sp:]
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		word := s[:end]
		s = s[end:]
		for word != "" {
			r, n := utf8.DecodeRuneInString(word)
			if !strings.ContainsRune(leadPunct, r) {
				break
			}
			f.lead += word[:n]
			word = word[n:]
		}
		for word != "" {
			r, n := utf8.DecodeLastRuneInString(word)
			if !strings.ContainsRune(trailPunct, r) {
				break
			}
			// bogʻ written bog' keeps its mark, unless the word was opened
			// by a quote that this one closes.
			if isMark(r) {
				p, _ := utf8.DecodeLastRuneInString(word[:len(word)-n])
				if (p == 'g' || p == 'G' || p == 'o' || p == 'O') && !strings.ContainsAny(f.lead, "'‘`") {
					break
				}
			}
			f.trail = word[len(word)-n:] + f.trail
			word = word[:len(word)-n]
		}
		f.core = word
		out = append(out, f)
	}
	return out
}

// verbRune stands for the n-th fmt verb of a text while it is written,
// so that no rule reads into a verb ("% d" has a space, "%sni" a suffix).
const verbRune = 0xF0000

func isVerbRune(r rune) bool { return r >= verbRune && r <= 0xFFFFD }

func text(s string) string {
	if strings.ContainsFunc(s, isVerbRune) {
		return words(s) // cannot happen in a catalog: write it as it comes
	}
	var verbs []string
	s = fmtVerb.ReplaceAllStringFunc(s, func(v string) string {
		verbs = append(verbs, v)
		return string(rune(verbRune + len(verbs) - 1))
	})
	out := words(s)
	if len(verbs) == 0 {
		return out
	}
	var b strings.Builder
	for _, r := range out {
		if isVerbRune(r) {
			b.WriteString(verbs[r-verbRune])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func words(s string) string {
	fs := split(s)
	var b strings.Builder
	verbatim := func(f field) {
		b.WriteString(f.space + f.lead + f.core + f.trail)
	}
	for i := 0; i < len(fs); i++ {
		f := fs[i]
		if n := commandLength(fs[i:]); n > 0 {
			for _, f := range fs[i : i+n] {
				verbatim(f)
			}
			i += n - 1
			continue
		}
		b.WriteString(f.space + f.lead)
		b.WriteString(core(f.core))
		b.WriteString(f.trail)
	}
	return b.String()
}

// commandLength is how many fields from fs[0] are a kassa command line's
// command words: "kassa", a subcommand and the words it takes (the flags
// after them are kept in Latin by their own rule).
func commandLength(fs []field) int {
	if len(fs) < 2 || fs[0].trail != "" || fs[1].lead != "" {
		return 0
	}
	if fs[0].core == "sudo" {
		// a shell command: its words and flags, up to a placeholder in
		// capitals (sudo usermod -aG lp FOYDALANUVCHI) or punctuation
		n := 1
		for n < len(fs) && fs[n-1].trail == "" && fs[n].lead == "" && shellWord.MatchString(fs[n].core) {
			n++
		}
		return n
	}
	if fs[0].core != "kassa" {
		return 0
	}
	args, ok := commands[fs[1].core]
	if !ok {
		return 0
	}
	// "kassa demo" is also Uzbek (the till's demo): a command only when a
	// flag follows.
	if fs[1].core == "demo" && (fs[1].trail != "" || len(fs) < 3 || !strings.HasPrefix(fs[2].core, "--")) {
		return 0
	}
	n := 2
	for n < len(fs) && fs[n-1].trail == "" && fs[n].lead == "" && contains(args, fs[n].core) {
		n++
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var (
	tomlTable = regexp.MustCompile(`^\[\[?[A-Za-z0-9_.\-]+\]\]?$`)
	shellWord = regexp.MustCompile(`^(-{1,2}[A-Za-z][A-Za-z0-9-]*|[a-z0-9][a-z0-9._/-]*)$`)
	// X-Api-Key: a header that a request carries
	httpHeader = regexp.MustCompile(`^X(-[A-Z][A-Za-z0-9]*)+$`)
	// KASSA-000042: an operation's id, a name and a number
	idWithNumber = regexp.MustCompile(`^[A-Z]+-[0-9]+$`)
	fmtVerb      = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*(\*|\d+)?(\.(\*|\d+)?)?(\[\d+\])?[a-zA-Z%]`)
)

func core(c string) string {
	if t, ok := dateTemplate(c); ok {
		return t
	}
	if technical(c) {
		return placeholders(c)
	}
	if c == "" || kept(c) || tomlTable.MatchString(c) || idWithNumber.MatchString(c) {
		return c
	}
	rs := []rune(c)
	if strings.Contains(c, ".") && initials(c) && strings.IndexFunc(c, unicode.IsLetter) >= 0 {
		return render(parse(rs, true, ""), false) // h.k.
	}
	var b strings.Builder
	for i := 0; i < len(rs); {
		if !wordRune(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && (wordRune(rs[j]) || isMark(rs[j])) {
			j++
		}
		for j > i+1 && isMark(rs[j-1]) && !afterOG(rs[:j-1]) {
			j-- // a mark that ends the run and marks no oʻ/gʻ is punctuation
		}
		b.WriteString(run(string(rs[i:j])))
		i = j
	}
	return b.String()
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

func afterOG(rs []rune) bool {
	if len(rs) == 0 {
		return false
	}
	r := unicode.ToLower(rs[len(rs)-1])
	return r == 'o' || r == 'g'
}

func isMark(r rune) bool {
	switch r {
	case 'ʻ', 'ʼ', '\'', '‘', '’', '`':
		return true
	}
	return false
}

// technical reports whether a whole field is a URL, flag, path, file or
// host name, address or identifier.
func technical(c string) bool {
	switch {
	case strings.Contains(c, "://"),
		strings.HasPrefix(c, "--") && len(c) > 2,
		httpHeader.MatchString(c),
		(strings.HasPrefix(c, "/") || strings.HasPrefix(c, "./") || strings.HasPrefix(c, "../") || strings.HasPrefix(c, "~/")) && strings.IndexFunc(c, unicode.IsLetter) >= 0:
		return true
	}
	rs := []rune(c)
	alnum := func(i int) bool {
		return i >= 0 && i < len(rs) && (rs[i] < utf8.RuneSelf && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]) || rs[i] == '_') || isVerbRune(rs[i]))
	}
	for i, r := range rs {
		switch r {
		case '@', ':', '=':
			if alnum(i-1) && alnum(i+1) {
				return true
			}
		case '.':
			if (alnum(i-1) || i > 0 && rs[i-1] == '*') && alnum(i+1) && !initials(c) {
				return true
			}
		}
	}
	return false
}

// placeholders writes the Uzbek words in capitals inside an address or a
// file name, which stand for what the cashier writes there
// (https://MANZIL:8080, file:YOʻL), leaving all the rest.
func placeholders(c string) string {
	rs := []rune(c)
	var b strings.Builder
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && (rs[j] >= 'A' && rs[j] <= 'Z' || j > i && isMark(rs[j]) && afterOG(rs[:j])) {
			j++
		}
		before := i > 0 && unicode.IsLetter(rs[i-1])
		after := j < len(rs) && unicode.IsLetter(rs[j])
		switch {
		case j == i:
			b.WriteRune(rs[i])
			i++
			continue
		case j-i >= 2 && !before && !after:
			b.WriteString(word(string(rs[i:j])))
		default:
			b.WriteString(string(rs[i:j]))
		}
		i = j
	}
	return b.String()
}

// dateTemplate writes a date's pattern in Uzbek letters (KK.OO.YYYY for
// kun, oy, yil) in Cyrillic letters: КК.ОО.ЙЙЙЙ. Other patterns
// (YYYY-MM-DD) are not Uzbek and stay.
func dateTemplate(c string) (string, bool) {
	parts := strings.FieldsFunc(c, func(r rune) bool { return r == '.' || r == '-' || r == '/' })
	if len(parts) < 2 || !strings.ContainsAny(c, "KO") {
		return "", false
	}
	for _, p := range parts {
		if len(p) < 2 || len(p) > 4 || strings.Trim(p, p[:1]) != "" || !strings.Contains("KOY", p[:1]) {
			return "", false
		}
	}
	return render(parse([]rune(c), false, ""), true), true
}

// initials reports whether c is an abbreviation of single letters with
// dots (h.k. for va hokazo), which is Uzbek, not a file name.
func initials(c string) bool {
	for _, part := range strings.Split(strings.Trim(c, "."), ".") {
		if utf8.RuneCountInString(part) != 1 {
			return false
		}
	}
	return true
}

var brandLower = func() map[string]string {
	m := map[string]string{}
	for b := range brands {
		m[strings.ToLower(b)] = b
	}
	return m
}()

func kept(w string) bool {
	_, brand := brandLower[strings.ToLower(w)]
	return abbrevs[w] || brand || commandWords[w]
}

// run writes one run of letters, digits and underscores.
func run(w string) string {
	if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
		// 5ta, 2dan: a number with an Uzbek suffix; any other word with
		// digits (F4, lp0, 10m, CASH_1) is a name.
		letters := strings.TrimLeftFunc(w, unicode.IsDigit)
		if letters != w && letters != "" && strings.IndexFunc(letters, unicode.IsDigit) < 0 && numberSuffix(letters) {
			return w[:len(w)-len(letters)] + suffix([]rune(letters), "", false)
		}
		return w
	}
	if strings.Contains(w, "_") {
		if strings.IndexFunc(w, unicode.IsLower) >= 0 {
			return w // an identifier: shop_id
		}
		// a placeholder in capitals (KASSA_NOMI), whose parts are words
		parts := strings.Split(w, "_")
		for i, p := range parts {
			parts[i] = word(p)
		}
		return strings.Join(parts, "_")
	}
	return word(w)
}

func numberSuffix(s string) bool {
	s = normalize([]rune(s))
	if brandSuffixes[s] {
		return true
	}
	for _, p := range []string{"ta", "nchi", "inchi"} {
		if rest, ok := strings.CutPrefix(s, p); ok && (rest == "" || brandSuffixes[rest]) {
			return true
		}
	}
	return false
}

// word writes one word: letters and the marks inside it.
func word(w string) string {
	if w == "" || kept(w) {
		return w
	}
	rs := []rune(w)
	if out, ok := keptPrefix(rs); ok {
		return out
	}
	low := []rune(normalize(rs))
	units := parse(rs, true, "")
	cased, upper := 0, 0
	for i, u := range units {
		if !u.cased {
			continue
		}
		cased++
		if u.up {
			upper++
			// a capital after a small letter: camelCase, a name (terminalID)
			if i > 0 && units[i-1].cased && !units[i-1].up {
				return w
			}
		}
	}
	upperWord := cased >= 2 && upper == cased
	if cased == 1 && len(rs) == 1 && low[0] != 'u' && low[0] != 'o' {
		return w // a key or a list letter: k, a)
	}
	foreign := false
	for i, r := range low {
		if r == 'w' || r == 'c' && (i+1 == len(low) || low[i+1] != 'h') {
			foreign = true
		}
	}
	if upperWord && !strings.ContainsAny(string(low), "qxʻʼ") {
		if foreign || !strings.ContainsAny(string(low), "aeiou") {
			return w // an abbreviation: CSV, RRN, SPIC
		}
	} else if foreign {
		return w
	}
	if stem, cyr, ok := findStem(string(low)); ok {
		n := utf8.RuneCountInString(stem)
		rest := rs[n:]
		if len(rest) > 0 {
			cyr = strings.TrimSuffix(cyr, "ь")
		}
		switch {
		case upperWord:
			cyr = strings.ToUpper(cyr)
		case unicode.IsUpper(rs[0]):
			first, size := utf8.DecodeRuneInString(cyr)
			cyr = string(unicode.ToUpper(first)) + cyr[size:]
		}
		last, _ := utf8.DecodeLastRuneInString(stem)
		return cyr + render(parse(rest, false, string(last)), upperWord)
	}
	return render(units, upperWord)
}

// keptPrefix writes a brand or abbreviation with an Uzbek suffix after
// it: QRni, UzQRdan, Kaspida, API'ga.
func keptPrefix(rs []rune) (string, bool) {
	for k := len(rs) - 1; k >= 2; k-- {
		p, rest := string(rs[:k]), rs[k:]
		sep := ""
		if isMark(rest[0]) {
			sep, rest = string(rest[0]), rest[1:]
		}
		if len(rest) == 0 {
			continue
		}
		if abbrevs[p] && (lowerRunes(rest) || len(rest) > 1 && unicode.IsUpper(rest[0]) && lowerRunes(rest[1:])) {
			return p + sep + suffix(rest, "", false), true
		}
		if b, ok := brandLower[strings.ToLower(p)]; ok && (p == b || p == strings.ToUpper(b)) &&
			lowerRunes(rest) && brandSuffixes[normalize(rest)] {
			return p + sep + suffix(rest, "", false), true
		}
	}
	return "", false
}

func lowerRunes(rs []rune) bool {
	for _, r := range rs {
		if !unicode.IsLower(r) && !isMark(r) {
			return false
		}
	}
	return true
}

// suffix writes letters that follow something already written.
func suffix(rs []rune, prev string, upperWord bool) string {
	return render(parse(rs, false, prev), upperWord)
}

var stemsByLength = func() []string {
	keys := make([]string, 0, len(stems))
	for k := range stems {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return keys
}()

func findStem(low string) (stem, cyr string, ok bool) {
	for _, s := range stemsByLength {
		rest, found := strings.CutPrefix(low, s)
		if !found {
			continue
		}
		if rest == "" {
			return s, stems[s], true
		}
		for _, p := range suffixStarts {
			if strings.HasPrefix(rest, p) {
				return s, stems[s], true
			}
		}
	}
	return "", "", false
}

// normalize lower-cases a word and writes each mark after o or g as ʻ and
// every other as ʼ.
func normalize(rs []rune) string {
	out := make([]rune, len(rs))
	for i, r := range rs {
		switch {
		case isMark(r) && afterOG(rs[:i]):
			out[i] = 'ʻ'
		case isMark(r):
			out[i] = 'ʼ'
		default:
			out[i] = unicode.ToLower(r)
		}
	}
	return string(out)
}

// unit is one Cyrillic letter and the Latin letters it comes from.
type unit struct {
	cyr, lat string
	up       bool // the Latin letter (the first of a digraph) was a capital
	cased    bool // false for ъ, which takes the case of the word
}

var letters = map[rune]string{
	'a': "а", 'b': "б", 'c': "ц", 'd': "д", 'f': "ф", 'g': "г", 'h': "ҳ",
	'i': "и", 'j': "ж", 'k': "к", 'l': "л", 'm': "м", 'n': "н", 'o': "о",
	'p': "п", 'q': "қ", 'r': "р", 's': "с", 't': "т", 'u': "у", 'v': "в",
	'w': "в", 'x': "х", 'y': "й", 'z': "з",
}

var iotated = map[rune]string{'o': "ё", 'u': "ю", 'a': "я", 'e': "е"}

// parse reads Latin letters into Cyrillic ones. atStart says rs begins a
// word; prev is the Latin letter before rs, if any.
func parse(rs []rune, atStart bool, prev string) []unit {
	low := []rune(normalize(rs))
	var out []unit
	for i := 0; i < len(low); {
		c := low[i]
		up := unicode.IsUpper(rs[i])
		at := func(k int) rune {
			if i+k < len(low) {
				return low[i+k]
			}
			return 0
		}
		rest := string(low[i:])
		emit := func(cyr string, n int) {
			out = append(out, unit{cyr: cyr, lat: string(low[i : i+n]), up: up, cased: true})
			i += n
		}
		switch {
		case c == 'ʻ' || c == 'ʼ':
			out = append(out, unit{cyr: "ъ", lat: "ʼ"})
			i++
		case c == 'o' && at(1) == 'ʻ':
			emit("ў", 2)
		case c == 'g' && at(1) == 'ʻ':
			emit("ғ", 2)
		case c == 's' && at(1) == 'ʼ' && at(2) == 'h':
			emit("с", 2) // Isʼhoq: the mark parts s from h
		case c == 's' && at(1) == 'h':
			emit("ш", 2)
		case c == 'c' && at(1) == 'h':
			emit("ч", 2)
		case c == 'y' && at(1) == 'o' && at(2) == 'ʻ':
			emit("й", 1) // yoʻq: й and ў
		case c == 'y' && iotated[at(1)] != "":
			emit(iotated[at(1)], 2)
		case c == 't' && at(1) == 's' && (i == 0 && atStart || strings.HasPrefix(rest, "tsiya") || strings.HasPrefix(rest, "tsion")):
			emit("ц", 2)
		case c == 's' && prev == "k" && (strings.HasPrefix(rest, "siya") || strings.HasPrefix(rest, "sion")):
			emit("ц", 1)
		case c == 'e':
			if i == 0 && atStart || strings.Contains("|a|e|o|u|oʻ|", "|"+prev+"|") {
				emit("э", 1)
			} else {
				emit("е", 1)
			}
		case letters[c] != "":
			emit(letters[c], 1)
		default:
			out = append(out, unit{cyr: string(rs[i]), lat: string(c), up: up, cased: false})
			i++
		}
		prev = out[len(out)-1].lat
	}
	return out
}

func render(us []unit, upperWord bool) string {
	var b strings.Builder
	for _, u := range us {
		if u.cased && u.up || !u.cased && upperWord {
			b.WriteString(strings.ToUpper(u.cyr))
		} else {
			b.WriteString(u.cyr)
		}
	}
	return b.String()
}
