package uzcyrl

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Generated opens every catalog Catalog writes.
const Generated = "# Generated from uz.toml by `go generate ./assets/locale`: edit uz.toml, never this file.\n"

// Catalog writes the Cyrillic catalog of the Latin one: the same lines in
// the same order, each comment and each text written with FromLatin, the
// keys and tables as they are. It reads the catalogs' own TOML, one
// key = "text" per line; any other line is an error, so that no text is
// ever left out.
func Catalog(latin []byte) ([]byte, error) {
	var b strings.Builder
	b.WriteString(Generated)
	text := strings.TrimSuffix(string(latin), "\n")
	for n, line := range strings.Split(text, "\n") {
		out, err := catalogLine(line)
		if err != nil {
			return nil, fmt.Errorf("uz.toml line %d: %w", n+1, err)
		}
		b.WriteString(out)
		b.WriteByte('\n')
	}
	return []byte(b.String()), nil
}

func catalogLine(line string) (string, error) {
	trimmed := strings.TrimSpace(line)
	indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
	switch {
	case trimmed == "":
		return line, nil
	case strings.HasPrefix(trimmed, "#"):
		return indent + comment(trimmed), nil
	case strings.HasPrefix(trimmed, "["):
		end := strings.LastIndex(trimmed, "]")
		if end < 0 {
			return "", fmt.Errorf("a table without its ]: %s", trimmed)
		}
		rest, err := after(trimmed[end+1:])
		return indent + trimmed[:end+1] + rest, err
	}
	key, value, ok := strings.Cut(trimmed, "=")
	if !ok {
		return "", fmt.Errorf("not a key = \"text\" line: %s", trimmed)
	}
	value = strings.TrimLeft(value, " \t")
	if strings.HasPrefix(value, "{") {
		forms, rest, err := textsByNumber(value)
		if err != nil {
			return "", fmt.Errorf("%s: %w", strings.TrimSpace(key), err)
		}
		rest, err = after(rest)
		return indent + strings.TrimRight(key, " \t") + " = " + forms + rest, err
	}
	if !strings.HasPrefix(value, `"`) || strings.HasPrefix(value, `"""`) {
		return "", fmt.Errorf("%s: only one-line \"texts\" are read", strings.TrimSpace(key))
	}
	end := closingQuote(value)
	if end < 0 {
		return "", fmt.Errorf("%s: the text has no closing quote", strings.TrimSpace(key))
	}
	s, err := strconv.Unquote(value[:end+1])
	if err != nil {
		return "", fmt.Errorf("%s: %w", strings.TrimSpace(key), err)
	}
	rest, err := after(value[end+1:])
	return indent + strings.TrimRight(key, " \t") + " = " + quote(FromLatin(s)) + rest, err
}

// textsByNumber writes a text by number, { one = "…", other = "…" } on
// one line, in Cyrillic letters, and returns what follows it.
func textsByNumber(value string) (string, string, error) {
	var forms []string
	rest := strings.TrimLeft(value[1:], " \t")
	for {
		if strings.HasPrefix(rest, "}") {
			return "{ " + strings.Join(forms, ", ") + " }", rest[1:], nil
		}
		name, text, ok := strings.Cut(rest, "=")
		name = strings.TrimSpace(name)
		text = strings.TrimLeft(text, " \t")
		if !ok || name == "" || !strings.HasPrefix(text, `"`) {
			return "", "", fmt.Errorf("not a { form = \"text\", … } table: %s", value)
		}
		end := closingQuote(text)
		if end < 0 {
			return "", "", fmt.Errorf("the %s form has no closing quote", name)
		}
		s, err := strconv.Unquote(text[:end+1])
		if err != nil {
			return "", "", fmt.Errorf("the %s form: %w", name, err)
		}
		forms = append(forms, name+" = "+quote(FromLatin(s)))
		rest = strings.TrimLeft(text[end+1:], " \t")
		switch {
		case strings.HasPrefix(rest, ","):
			rest = strings.TrimLeft(rest[1:], " \t")
		case !strings.HasPrefix(rest, "}"):
			return "", "", fmt.Errorf("a comma or } after the %s form: %s", name, value)
		}
	}
}

// closingQuote is the index of the quote that ends the basic string value
// starts with.
func closingQuote(value string) int {
	for i := 1; i < len(value); i++ {
		switch value[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// after writes what follows a value or table on its line: nothing or a
// comment.
func after(rest string) (string, error) {
	t := strings.TrimSpace(rest)
	if t == "" {
		return "", nil
	}
	if !strings.HasPrefix(t, "#") {
		return "", fmt.Errorf("%q after the value", t)
	}
	return rest[:len(rest)-len(strings.TrimLeft(rest, " \t"))] + comment(t), nil
}

// comment writes a comment in Cyrillic letters, unless it is in English
// (the Latin catalog keeps some of en.toml's notes for developers).
func comment(c string) string {
	body := strings.TrimPrefix(c, "#")
	if english(body) {
		return c
	}
	return "#" + FromLatin(body)
}

var uzbekMark = regexp.MustCompile("[oOgG]['‘’`][a-z]")

var englishWords = set("a", "an", "and", "by", "for", "how", "in", "is", "its", "of", "on", "one", "the", "to", "what", "with")

// english reports whether a text reads as English: two of its words are
// English words Uzbek does not have, and it has no oʻ, gʻ or ʼ (an
// apostrophe after o or g and before a letter is one: English has "Kaspi's").
func english(s string) bool {
	if strings.ContainsAny(s, "ʻʼ") || uzbekMark.MatchString(s) {
		return false
	}
	n := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if englishWords[w] {
			n++
		}
	}
	return n >= 2
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f || r == utf8.RuneError {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
