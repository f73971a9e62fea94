package uzcyrl

// The word lists behind FromLatin. A word is looked up in its Latin
// spelling, lower-cased, with every oʻ/gʻ mark written ʻ and every other
// apostrophe written ʼ.

// abbrevs are technical abbreviations and placeholders written in
// capitals that stay in Latin letters, matched exactly (case and all). An
// abbreviation may carry an Uzbek suffix in small letters: QRni → QRни.
var abbrevs = set(
	"API", "BIN", "CA", "CSV", "DB", "DD", "DLE", "EAN", "EOT", "ESC", "FILE",
	"GS", "HH", "HOME", "HOST", "HTTP", "HTTPS", "ID", "INN", "IP", "ISO",
	"JSON", "KZ", "KZT", "MFO", "MM", "NAME", "OCTO", "OFD", "OK", "PATH",
	"PDF", "PEM", "PGPASSFILE", "PGPASSWORD", "PIN", "PINFL", "PNG", "POS", "QR", "RRN", "SMS",
	"SPIC", "SS", "TCP", "TILL", "TLS", "TOML", "UDP", "URL", "USB", "USER",
	"UTC", "UTF", "UUID", "UZ", "UZS", "VAT", "XML", "YYYY",
)

// brands are names kept in Latin letters whatever their case (Kaspi,
// KASPI, kaspi): firms, products, keys of the keyboard. A brand may carry
// an Uzbek suffix (Kaspida → Kaspiда), written as listed here.
var brands = set(
	"Alt", "Backspace", "Click", "Ctrl", "Del", "Delete", "E-IMZO", "e-mail",
	"email", "End", "Enter", "Epson", "Esc", "Excel", "Gate", "Gold", "Home", "Humo",
	"Insert", "Kaspi", "Linux", "macOS", "Mastercard", "Monetix", "Octo",
	"PgDn", "PgUp", "Red", "Shift", "Smart", "Space", "Tab", "Uzcard", "UzQR",
	"Visa", "Wi-Fi", "Windows",
)

// commandWords are the words of kassa's command line, its subcommands and
// the values of its flags, that stay Latin wherever they stand, as the
// shell needs them. Words of the command line that are also Uzbek words
// (demo, test, sim, pay) stay Latin only after "kassa" (see commands).
var commandWords = set(
	"add", "backup", "bbolt", "callback", "cashier", "check", "db", "disable",
	"display", "en", "enable", "export", "false", "file", "gen", "help", "http",
	"https", "id", "inn", "key", "kk", "kz", "lang", "language", "list", "lp",
	"manager", "notify", "pair", "payment", "payments", "pinfl", "print",
	"raster", "recover", "refund", "refunds", "reset-pin", "restore", "ru",
	"salvage", "shop", "tcp", "text", "true", "unlock", "url", "uz", "uzqr", "verify",
)

// commands are kassa's subcommands, each with the words that may follow
// it on the command line: "kassa print test" stays Latin, while "test"
// elsewhere is the Uzbek word тест.
var commands = map[string][]string{
	"audit":   {"verify", "export"},
	"check":   {"uzqr", "monetix", "octo"},
	"db":      {"check", "salvage", "backup", "restore"},
	"demo":    nil,
	"display": nil,
	"export":  nil,
	"gen":     nil,
	"help":    nil,
	"key":     {"uzqr", "monetix", "octo", "octo-notify"},
	"pair":    {"kaspi"},
	"pay":     nil,
	"print":   {"test"},
	"recover": nil,
	"refund":  nil,
	"sim":     nil,
	"user":    {"add", "list", "disable", "enable", "reset-pin", "unlock"},
}

// stems are words whose Cyrillic spelling the Latin one does not tell:
// mostly Russian loanwords that lose ь, ъ or ц in Latin. Each is matched
// at the start of a word, with Uzbek suffixes after it; a final ь is
// dropped before a suffix, as the orthography wants (апрель, апрелда).
// Words ending in -tsiya, -tsion, -ksiya and starting with ts- need no
// entry: those letters are ц by rule.
var stems = map[string]string{
	// months
	"yanvar":   "январь",
	"fevral":   "февраль",
	"aprel":    "апрель",
	"iyun":     "июнь",
	"iyul":     "июль",
	"sentyabr": "сентябрь",
	"sentabr":  "сентябрь",
	"oktyabr":  "октябрь",
	"oktabr":   "октябрь",
	"noyabr":   "ноябрь",
	"dekabr":   "декабрь",

	// ь at the end
	"avtomobil": "автомобиль",
	"asfalt":    "асфальт",
	"detal":     "деталь",
	"festival":  "фестиваль",
	"film":      "фильм",
	"filtr":     "фильтр",
	"pult":      "пульт",
	"albom":     "альбом",
	"kalendar":  "календарь",
	"kontrol":   "контроль",
	"mebel":     "мебель",
	"model":     "модель",
	"parol":     "пароль",
	"portfel":   "портфель",
	"profil":    "профиль",
	"rol":       "роль",
	"stil":      "стиль",

	// ь or ъ inside
	"kompyuter": "компьютер",
	"obyekt":    "объект",
	"subyekt":   "субъект",
	"pavilyon":  "павильон",
	"premyera":  "премьера",
	"intervyu":  "интервью",
	"moʻjiza":   "мўъжиза",
	"moʻtabar":  "мўътабар",
	"moʻtadil":  "мўътадил",
	"kliyent":   "клиент",
	"patsiyent": "пациент",
	"oriyentir": "ориентир",
	"diyeta":    "диета",
	"proyekt":   "проект",
	"proyektor": "проектор",
	"obyektiv":  "объектив",
	"ssenariy":  "сценарий",

	// ц written s or ts
	"abzats":       "абзац",
	"aksiya":       "акция",
	"distansiya":   "дистанция",
	"funksiya":     "функция",
	"funksional":   "функционал",
	"instansiya":   "инстанция",
	"kompetensiya": "компетенция",
	"konferensiya": "конференция",
	"konsert":      "концерт",
	"kontsert":     "концерт",
	"kvitansiya":   "квитанция",
	"litsenziya":   "лицензия",
	"litsey":       "лицей",
	"potensial":    "потенциал",
	"prinsip":      "принцип",
	"protsent":     "процент",
	"protsess":     "процесс",
	"protsessor":   "процессор",
	"shprits":      "шприц",
	"sotsial":      "социал",
	"spetsial":     "специал",
	"spetsifik":    "специфик",
	"stansiya":     "станция",
	"tendensiya":   "тенденция",
	"tranzaksiya":  "транзакция",
}

// suffixStarts are the beginnings of Uzbek suffixes that may follow a
// stem: what comes after a stem must start with one of them.
var suffixStarts = []string{
	"a", "cha", "chi", "da", "de", "di", "dor", "ga", "gi", "gina", "i", "ka",
	"la", "li", "mi", "miz", "n", "qa", "si", "siz", "ta", "u",
}

// brandSuffixes are the whole endings a brand may carry (Kaspida,
// Clickning, Monetixga): a brand followed by anything else is not taken
// for the brand (Tabiat is not Tab + iat, Endi is not End + i), so no
// possessive ending, which is a vowel alone, is among them.
var brandSuffixes = func() map[string]bool {
	out := map[string]bool{}
	plural := []string{"", "lar"}
	cases := []string{"", "ni", "ning", "ga", "ka", "qa", "da", "dan", "dagi", "gacha", "dek", "day", "cha", "siz", "li", "niki"}
	particles := []string{"", "mi", "dir", "ham", "gina", "chi"}
	for _, p := range plural {
		for _, c := range cases {
			for _, t := range particles {
				if s := p + c + t; s != "" {
					out[s] = true
				}
			}
		}
	}
	return out
}()

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
