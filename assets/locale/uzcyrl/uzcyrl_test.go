package uzcyrl

import "testing"

type pair struct{ latin, cyrl string }

func check(t *testing.T, cases []pair) {
	t.Helper()
	for _, c := range cases {
		if got := FromLatin(c.latin); got != c.cyrl {
			t.Errorf("FromLatin(%q)\n got %q\nwant %q", c.latin, got, c.cyrl)
		}
	}
}

// Sentences of the UzQR cabinet's guide and OCTO's fiscal documentation,
// Uzbek texts written in Latin letters, with their Cyrillic spelling.
func TestSentences(t *testing.T) {
	check(t, []pair{
		{"O'ZBEKISTON RESPUBLIKASI MARKAZIY BANKI", "ЎЗБЕКИСТОН РЕСПУБЛИКАСИ МАРКАЗИЙ БАНКИ"},
		{"UzQR shaxsiy kabineti", "UzQR шахсий кабинети"},
		{"FOYDALANUVCHI QO'LLANMASI", "ФОЙДАЛАНУВЧИ ҚЎЛЛАНМАСИ"},
		{"Kirish huquqini olgandan so'ng, ish ssenariylaridan birini tanlang.", "Кириш ҳуқуқини олгандан сўнг, иш сценарийларидан бирини танланг."},
		{"Aksariyat banklar pul mablag'larini darhol hisobga o'tkazishni qo'llab-quvvatlaydi.", "Аксарият банклар пул маблағларини дарҳол ҳисобга ўтказишни қўллаб-қувватлайди."},
		{"Elektron imzo sertifikatini tanlang.", "Электрон имзо сертификатини танланг."},
		{"API-kalitni kassa dasturiy ta'minoti yoki uskunasi yetkazib beruvchisiga topshirish.", "API-калитни касса дастурий таъминоти ёки ускунаси етказиб берувчисига топшириш."},
		{"Yo'q. Ulanish uchun xizmat ko'rsatuvchi bank orqali ro'yxatdan o'tish kifoya.", "Йўқ. Уланиш учун хизмат кўрсатувчи банк орқали рўйхатдан ўтиш кифоя."},
		{"Qidiruvning maksimal davri 35 kunni tashkil etadi.", "Қидирувнинг максимал даври 35 кунни ташкил этади."},
		{"Integratsiya sozlamalarini birgalikda bajarish.", "Интеграция созламаларини биргаликда бажариш."},
		{"«Ro'yxatdan o'tkazish» tugmasini bosing.", "«Рўйхатдан ўтказиш» тугмасини босинг."},
		{"Brauzer saytning kompyuterda o'rnatilgan E-IMZO ilovasi bilan ishlashiga ruxsat so'rashi mumkin.", "Браузер сайтнинг компьютерда ўрнатилган E-IMZO иловаси билан ишлашига рухсат сўраши мумкин."},
		{"Telegram-botni statik QRga ulang va Chat IDni kiriting.", "Телеграм-ботни статик QRга уланг ва Чат IDни киритинг."},
		{"OCTO to‘lov tizimi do‘konlar uchun cheklarni fiskallashtirish xizmatini taqdim etadi.", "OCTO тўлов тизими дўконлар учун чекларни фискаллаштириш хизматини тақдим этади."},
		{"Merchantning INN yoki PINFL raqami.", "Мерчантнинг INN ёки PINFL рақами."},
		{"Mahsulotda QQS mavjudligi haqida ma’lumot.", "Маҳсулотда ҚҚС мавжудлиги ҳақида маълумот."},
		{"Davlat soliq qo‘mitasi (DSQ)ning me’yoriy talablari asosida.", "Давлат солиқ қўмитаси (ДСҚ)нинг меъёрий талаблари асосида."},
		{"Yakka tartibdagi tadbirkorlar(jismoniy shaxslar) uchun quyidagicha o‘zgaradi:", "Якка тартибдаги тадбиркорлар(жисмоний шахслар) учун қуйидагича ўзгаради:"},
		{"Xatolik xabarlari to'liq ro'yxati «UzQR xatoliklar ma'lumotnomasi» hujjatida keltirilgan.", "Хатолик хабарлари тўлиқ рўйхати «UzQR хатоликлар маълумотномаси» ҳужжатида келтирилган."},
		{"Subyekt nomi", "Субъект номи"},
	})
}

func TestLetters(t *testing.T) {
	check(t, []pair{
		// oʻ and gʻ, with every mark people type for ʻ
		{"oʻrin goʻsht togʻ", "ўрин гўшт тоғ"},
		{"o'rin tog' tog‘ tog’ tog`", "ўрин тоғ тоғ тоғ тоғ"},
		{"«bogʻ» va bog'.", "«боғ» ва боғ."},
		{"yoʻq Yoʻq YOʻQ", "йўқ Йўқ ЙЎҚ"},
		// digraphs, and ng which is two letters
		{"shaxs chek tong ming", "шахс чек тонг минг"},
		{"Shaxsiy SHAXSIY Chop CHOP", "Шахсий ШАХСИЙ Чоп ЧОП"},
		// yo, yu, ya, ye
		{"ayol dunyo yuz yangi", "аёл дунё юз янги"},
		{"Yangi YANGI Yuz", "Янги ЯНГИ Юз"},
		{"yetkazib Yer qayerda YETKAZIB", "етказиб Ер қаерда ЕТКАЗИБ"},
		// the tutuq belgisi, and sʼh that it parts
		{"maʼlumot sanʼat qatʼiy eʼlon MAʼLUMOT", "маълумот санъат қатъий эълон МАЪЛУМОТ"},
		{"ma'lumot san’at", "маълумот санъат"},
		{"Isʼhoq as'hob", "Исҳоқ асҳоб"},
		// h, x, q, j
		{"hisob xabar qator joy", "ҳисоб хабар қатор жой"},
		// e at the start of a word and after a vowel, е elsewhere
		{"eski Ekran elektron-pochta", "эски Экран электрон-почта"},
		{"poeziya aeroport duet", "поэзия аэропорт дуэт"},
		{"kerak tenge chek", "керак тенге чек"},
		{"klient kliyent", "клиент клиент"},
		{"ERI paroli", "ЭРИ пароли"},
	})
}

func TestTs(t *testing.T) {
	check(t, []pair{
		// тс in Uzbek words
		{"ketsa aytsin oʻtsa", "кетса айтсин ўтса"},
		// ц in loanwords
		{"operatsiya operatsiyalar Operatsiyani", "операция операциялар Операцияни"},
		{"OPERATSIYA", "ОПЕРАЦИЯ"},
		{"tsement ratsional", "цемент рационал"},
		{"litsenziya funksiyasi aksiyalar reaksiya", "лицензия функцияси акциялар реакция"},
		{"stansiya tranzaksiyalar konsert protsent", "станция транзакциялар концерт процент"},
	})
}

// Russian loanwords whose ь, ъ or ц Latin does not write, alone and with
// Uzbek suffixes, which drop a final ь.
func TestStems(t *testing.T) {
	check(t, []pair{
		{"yanvar fevral aprel iyun iyul", "январь февраль апрель июнь июль"},
		{"sentyabr oktyabr noyabr dekabr sentabr", "сентябрь октябрь ноябрь декабрь сентябрь"},
		{"sentyabrda 1-oktyabrdan iyulgacha apreldan", "сентябрда 1-октябрдан июлгача апрелдан"},
		{"Noyabr DEKABR", "Ноябрь ДЕКАБРЬ"},
		{"parol parolni modeli mebel", "пароль паролни модели мебель"},
		{"fayl fayllar pochta sertifikat kompaniya", "файл файллар почта сертификат компания"},
		{"kompyuterda obyekt Filtr filtrlash", "компьютерда объект Фильтр фильтрлаш"},
		{"stansiyasi prinsipial", "станцияси принципиал"},
		{"moʻjiza", "мўъжиза"},
	})
}

func TestCase(t *testing.T) {
	check(t, []pair{
		{"Shaxsiy", "Шахсий"},
		{"SHAXSIY", "ШАХСИЙ"},
		{"shaxsiy", "шахсий"},
		{"TOʻLANDI", "ТЎЛАНДИ"},
		{"Subyekt nomi YaT", "Субъект номи ЯТ"},
		{"U kassada", "У кассада"},
	})
}

// What stays in Latin letters: see the package's comment.
func TestNotTransliterated(t *testing.T) {
	check(t, []pair{
		// fmt verbs
		{"Chek %s: %d soʻm, %[2]s, 100%% tayyor, %-8s|%*d", "Чек %s: %d сўм, %[2]s, 100%% тайёр, %-8s|%*d"},
		{"%d-qator, %sni", "%d-қатор, %sни"},
		{"Jami: % d, %s.toml, %[1]q", "Жами: % d, %s.toml, %[1]q"},
		// backticks
		{"`kassa db check --db FAYL` buyrugʻini bering", "`kassa db check --db FAYL` буйруғини беринг"},
		// command lines and flags; a placeholder in capitals is Uzbek
		{"kassa db check --db FAYL buyrugʻini ishga tushiring.", "kassa db check --db ФАЙЛ буйруғини ишга туширинг."},
		{"kassa key uzqr bilan bering", "kassa key uzqr билан беринг"},
		{"kassa print test --printer QURILMA", "kassa print test --printer ҚУРИЛМА"},
		{"kassa demo --market uz --lesson …", "kassa demo --market uz --lesson …"},
		{"kassa demo rejimida, Kassa demo", "касса демо режимида, Касса демо"},
		{"kassa help roʻyxatini koʻrsatadi; kassani yoping", "kassa help рўйхатини кўрсатади; кассани ёпинг"},
		{"--backup-every %s: 0 yoki 10m bering; KUN kuni.", "--backup-every %s: 0 ёки 10m беринг; КУН куни."},
		{"--octo-url %q: uni https://HOST deb yozing (--kaspi-insecure).", "--octo-url %q: уни https://HOST деб ёзинг (--kaspi-insecure)."},
		{"check, salvage, backup yoki restore", "check, salvage, backup ёки restore"},
		// TOML tables
		{"[octo] jadvali; [[octo.products]]: %d ta mahsulot", "[octo] жадвали; [[octo.products]]: %d та маҳсулот"},
		// addresses, files, paths
		{"http://192.168.1.50:8080 yoki tcp://HOST:9100, /dev/usb/lp0, file:PATH", "http://192.168.1.50:8080 ёки tcp://HOST:9100, /dev/usb/lp0, file:PATH"},
		{"name@domain, kassa.db (*.toml) va pos1.kaspipos.kz, 0.0.0.0:8088", "name@domain, kassa.db (*.toml) ва pos1.kaspipos.kz, 0.0.0.0:8088"},
		// brands, keys, abbreviations, with suffixes after some
		{"Kaspi ilovasida Smart POS orqali", "Kaspi иловасида Smart POS орқали"},
		{"Kaspida UzQRga QRni APIni POSdan OCTOga", "Kaspiда UzQRга QRни APIни POSдан OCTOга"},
		{"Click QR (Monetix), Octo", "Click QR (Monetix), Octo"},
		{"Enter ni bosing, Esc, Tab, Backspace, Ctrl+C, F1–F12", "Enter ни босинг, Esc, Tab, Backspace, Ctrl+C, F1–F12"},
		{"Tabiat", "Табиат"}, // not Tab
		{"ESC DLE EOT, HTTP HTTPS TLS CSV ID PIN SMS", "ESC DLE EOT, HTTP HTTPS TLS CSV ID PIN SMS"},
		// capitals: abbreviations stay, Uzbek words do not
		{"NAMUNA, TOʻLANDI, DIQQAT, FAYL, KUN", "НАМУНА, ТЎЛАНДИ, ДИҚҚАТ, ФАЙЛ, КУН"},
		{"INN, PINFL, RRN, YYYY-MM-DD, SPIC", "INN, PINFL, RRN, YYYY-MM-DD, SPIC"},
		{"--name KASSA_NOMI, --uzqr-qr CASH_1, shop_id", "--name КАССА_НОМИ, --uzqr-qr CASH_1, shop_id"},
		// words with digits, camelCase, foreign letters, single letters
		{"5ta chek, 2-qator, F4, lp0", "5та чек, 2-қатор, F4, lp0"},
		{"terminalID, callback, Windows", "terminalID, callback, Windows"},
		{"sozlamalar ekrani (F9, k)", "созламалар экрани (F9, k)"},
		{"non, choy h.k.", "нон, чой ҳ.к."},
		{"'Kassa' deb", "'Касса' деб"},
		// placeholders in an address or a file name are Uzbek words
		{"https://MANZIL:8080, http://MANZIL:PORT, MANZIL:PORT, file:YOʻL, https://MANZIL/YOʻL", "https://МАНЗИЛ:8080, http://МАНЗИЛ:ПОРТ, МАНЗИЛ:ПОРТ, file:ЙЎЛ, https://МАНЗИЛ/ЙЎЛ"},
		{"http://HOST:8080/PATH", "http://HOST:8080/PATH"},
		// a date's pattern in Uzbek letters, not in English ones
		{"(KK.OO.YYYY KK.OO.YYYY), YYYY-OO-KK; YYYY-MM-DD", "(КК.ОО.ЙЙЙЙ КК.ОО.ЙЙЙЙ), ЙЙЙЙ-ОО-КК; YYYY-MM-DD"},
		// a shell command, an id, values of the config
		{"(odatda lp: sudo usermod -aG lp FOYDALANUVCHI)", "(одатда lp: sudo usermod -aG lp ФОЙДАЛАНУВЧИ)"},
		{"000042 yoki KASSA-000042; 1-QADAM", "000042 ёки KASSA-000042; 1-ҚАДАМ"},
		{"true yoki false; [octo] language %q: uz, ru yoki en", "true ёки false; [octo] language %q: uz, ru ёки en"},
		{"Monetix Gate, Monetix payment id, Kaspi Gold, Wi-Fi, bbolt", "Monetix Gate, Monetix payment id, Kaspi Gold, Wi-Fi, bbolt"},
		// the help's flags and their values: language codes, config keys,
		// HTTP headers, a printer's maker
		{"--lang: en, ru, kk (qozoqcha), uz yoki uz-Cyrl; --market kz|uz", "--lang: en, ru, kk (қозоқча), uz ёки uz-Cyrl; --market kz|uz"},
		{"fayl tilida (lang) yoziladi", "файл тилида (lang) ёзилади"},
		{"X-Inn va X-Api-Key da; X-ray emas", "X-Inn ва X-Api-Key да; X-рай эмас"},
		{"0 — Epson kabi, Epsonda", "0 — Epson каби, Epsonда"},
		// endings that are not a brand's suffix
		{"Endi, endi, Tabiat; Enterda, Clickning", "Энди, энди, Табиат; Enterда, Clickнинг"},
	})
}
