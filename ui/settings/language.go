package settings

import (
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/kassa-till/kassa/assets/locale"
	"github.com/kassa-till/kassa/store"
	"github.com/kassa-till/kassa/ui/common"
)

// LanguageSetting is the data file's setting the settings screens keep
// the till's language in. At the till's start it wins over the config
// file's lang, unless --lang is given on the command line.
const LanguageSetting = "lang"

// languageMsg is the next language, kept in the data file (or why not).
type languageMsg struct {
	lang string
	err  error
}

// nextLanguage keeps the language after c's in the data file; the till
// speaks it once that is done (applyLanguage), so a language that could
// not be kept is not shown as if it were.
func nextLanguage(c *common.Common) tea.Cmd {
	langs := locale.Languages()
	next := langs[(slices.Index(langs, c.Cat.Lang)+1)%len(langs)]
	st, e := c.Store, c.AuditEntry(store.AuditSetting, LanguageSetting+" = "+next)
	return func() tea.Msg {
		if err := st.PutSettingAudited(LanguageSetting, next, e); err != nil {
			return languageMsg{err: err}
		}
		return languageMsg{lang: next}
	}
}

// applyLanguage makes every screen speak msg's language at once, and says
// so in it.
func applyLanguage(c *common.Common, msg languageMsg) (result string, problem bool) {
	if msg.err != nil {
		return c.T("error.store", msg.err.Error()), true
	}
	if err := c.UseLanguage(msg.lang); err != nil {
		return c.T("error.store", err.Error()), true
	}
	return c.T("settings.language_set", c.T("settings.language_name")), false
}

// languageRow is the settings screens' line that names the language.
func languageRow(c *common.Common) string {
	return c.Styles.Label.Render(fmt.Sprintf("%-24s", c.T("settings.language"))) + c.T("settings.language_name")
}
