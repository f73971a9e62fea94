package main

import (
	"path/filepath"
	"testing"

	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/settings"
)

// The language the settings screen kept wins at the start, unless --lang
// is given; one this kassa does not speak is passed over.
func TestSavedLanguage(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "kassa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got, err := savedLanguage(st, false); got != "" || err != nil {
		t.Fatalf("nothing kept: %q %v", got, err)
	}
	if err := st.PutSetting(settings.LanguageSetting, "uz-Cyrl"); err != nil {
		t.Fatal(err)
	}
	if got, err := savedLanguage(st, false); got != "uz-Cyrl" || err != nil {
		t.Fatalf("kept: %q %v", got, err)
	}
	if got, _ := savedLanguage(st, true); got != "" {
		t.Fatalf("--lang given, yet %q", got)
	}
	if err := st.PutSetting(settings.LanguageSetting, "xx"); err != nil {
		t.Fatal(err)
	}
	if got, err := savedLanguage(st, false); got != "" || err != nil {
		t.Fatalf("unknown kept language: %q %v", got, err)
	}
}
