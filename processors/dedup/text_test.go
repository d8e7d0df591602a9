package dedup

import "testing"

func TestTokenizeNormalizes(t *testing.T) {
	same := [][2]string{
		{"WOW 🔥🔥 deal!!", "wow deal"},
		{"Check https://t.co/abc this @someone now", "check this now"},
		{"see [link](https://x.example/?ref=1) #Deal", "see deal"},
		{"Ünïcode  Straße\n\tend", "ünïcode straße end"},
		{"www.example.com buy", "buy"},
	}
	for _, c := range same {
		a, b := tokenize(nil, c[0]), tokenize(nil, c[1])
		if exactKey(a) != exactKey(b) || len(a) != len(b) {
			t.Errorf("tokenize(%q) = %d words, tokenize(%q) = %d words; want the same words", c[0], len(a), c[1], len(b))
		}
	}
	if a, b := tokenize(nil, "buy now"), tokenize(nil, "now buy"); exactKey(a) == exactKey(b) {
		t.Errorf("word order should matter for the exact key")
	}
	if got := tokenize(nil, "@ 🔥 !! ..."); len(got) != 0 {
		t.Errorf("fields without letters or digits: got %d words; want none", len(got))
	}
}

func TestAuthorKey(t *testing.T) {
	k := authorKey("Jenny_Smith42")
	for _, h := range []string{"jennysmith42@mas.to", "@jennysmith42", "JENNY.SMITH.42"} {
		if authorKey(h) != k {
			t.Errorf("authorKey(%q) differs from authorKey(%q); want the same person", h, "Jenny_Smith42")
		}
	}
	if authorKey("jenny_smith43") == k {
		t.Errorf("different handles share a key")
	}
	if authorKey("bob") != 0 || authorKey("") != 0 {
		t.Errorf("handles under %d letters and digits should not identify anyone", minHandle)
	}
}
