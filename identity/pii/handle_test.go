package pii

import "testing"

func TestNameKeys(t *testing.T) {
	for _, tc := range []struct{ in, full, letters string }{
		{"Jane.Doe84", "janedoe84", "janedoe"},
		{"zoé_richard", "zoerichard", "zoerichard"},
		{"jd12", "", ""},           // too short either way
		{"ab12345", "ab12345", ""}, // digits keep the full key long enough; two letters say nothing
	} {
		f, l := NameKeys(tc.in)
		if f != tc.full || l != tc.letters {
			t.Errorf("NameKeys(%q) = %q, %q; want %q, %q", tc.in, f, l, tc.full, tc.letters)
		}
	}
	for in, want := range map[string]string{"@jane": "jane", "jane@mastodon.social": "jane", " @Jane@x.y ": "Jane"} {
		if got := HandleLocal(in); got != want {
			t.Errorf("HandleLocal(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestHandleAgainstLocalPart(t *testing.T) {
	h, err := New([]byte("handle-test-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	lf, ll := h.LocalKeys("Jane.Doe84+shop@Example.com")
	hf, hl := h.HandleKeys("@jane_doe84")
	if lf == "" || lf != hf || ll != hl || lf == ll {
		t.Errorf("local keys %q %q; handle keys %q %q: want equal pairs, full differing from letters", lf, ll, hf, hl)
	}
	if _, l := h.HandleKeys("janedoe"); l != ll {
		t.Error("a handle without the digits must share the letters-only key")
	}
	if f, _ := h.HandleKeys("john.smith"); f == lf {
		t.Error("different names must not share a key")
	}
	other, _ := New([]byte("another-key-0123456789"))
	if f, _ := other.LocalKeys("jane.doe84@example.com"); f == lf {
		t.Error("keys must depend on the deployment key")
	}
	if f, l := h.LocalKeys("not an address"); f != "" || l != "" {
		t.Error("a non-address must give no keys")
	}
	if f := h.Email("jane.doe84@example.com"); f == lf {
		t.Error("an e-mail's hash and its local part's key must differ (different kinds)")
	}
}

func TestAppendHandleKeysEqualsHandleKeys(t *testing.T) {
	h, err := New([]byte("handle-test-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	for _, handle := range []string{"Jane_Doe84", "@zoé.richard", "jd", "ab12345", "uma@social.example", "SaltyBadger1234", "Ωmega_Ψ99"} {
		f, l := h.HandleKeys(handle)
		bf, bl := h.AppendHandleKeys(nil, nil, handle)
		if string(bf) != f || string(bl) != l {
			t.Errorf("%q: AppendHandleKeys = %q, %q; HandleKeys = %q, %q", handle, bf, bl, f, l)
		}
	}
}
