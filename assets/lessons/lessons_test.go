package lessons

import "testing"

func TestTextIn(t *testing.T) {
	both := Text{"en": "Take the payment.", "ru": "Примите оплату.", "uz": "Toʻlovni qabul qiling.", "uz-Cyrl": "Тўловни олинг."}
	latin := Text{"en": "Take the payment.", "uz": "Toʻlovni qabul qiling, soʻng Enter ni bosing."}
	english := Text{"en": "Take the payment.", "ru": "Примите оплату."}
	for _, c := range []struct {
		text       Text
		lang, want string
	}{
		{both, "uz-Cyrl", "Тўловни олинг."}, // its own Cyrillic wins
		{both, "uz", "Toʻlovni qabul qiling."},
		{both, "ru", "Примите оплату."},
		{latin, "uz-Cyrl", "Тўловни қабул қилинг, сўнг Enter ни босинг."},
		{latin, "uz", "Toʻlovni qabul qiling, soʻng Enter ni bosing."},
		{english, "uz-Cyrl", "Take the payment."},
		{english, "uz", "Take the payment."},
		{english, "kk", "Take the payment."},
		{latin, "ru", "Take the payment."},
	} {
		if got := c.text.In(c.lang); got != c.want {
			t.Errorf("%v.In(%q) = %q, want %q", c.text, c.lang, got, c.want)
		}
	}
}
