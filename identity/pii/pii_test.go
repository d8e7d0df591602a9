package pii

import (
	"strings"
	"testing"
)

var testKey = []byte("0123456789abcdef-test-key")

func TestNewRejectsShortKeys(t *testing.T) {
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("New accepted a 5-byte key")
	}
}

func TestHashesAreKeyedAndNormalized(t *testing.T) {
	h, err := New(testKey)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New([]byte("another-key-of-enough-length"))
	a := h.Email("Jane.Doe+shop@Example.COM ")
	if a == "" || a != h.Email("mailto:jane.doe@example.com") {
		t.Errorf("equivalent addresses hash differently: %q vs %q", a, h.Email("mailto:jane.doe@example.com"))
	}
	if a == other.Email("jane.doe@example.com") {
		t.Error("two keys give the same hash")
	}
	if strings.Contains(a, "jane") || len(a) != 64 {
		t.Errorf("hash %q is not a 64-char hex digest", a)
	}
	if h.Email("not an address") != "" || h.Email("a@b") != "" {
		t.Error("non-addresses must hash to empty")
	}
	if p := h.Phone("+44 20 7946 0958"); p == "" || p != h.Phone("0044-20-7946-0958") {
		t.Errorf("equivalent phone numbers hash differently")
	}
	if h.Phone("+44 20 7946 0958") == h.Email("+44 20 7946 0958") {
		t.Error("phone and e-mail hashes share a domain")
	}
	if h.Phone("12345") != "" {
		t.Error("a 5-digit number is not a phone number")
	}
}

func TestFindAndRedact(t *testing.T) {
	cases := []struct {
		text           string
		emails, phones int
		redacted       string
	}{
		{"mail me at jane.doe@example.com or call +1 (415) 555-0100 today", 1, 1, "mail me at [email] or call [phone] today"},
		{"order 123456789 shipped in 2024, cost 1234.5678", 0, 0, "order 123456789 shipped in 2024, cost 1234.5678"},
		{"ring 020 7946 0958!", 0, 1, "ring [phone]!"},
		{"@acme your app is down", 0, 0, "@acme your app is down"},
		{"two: a@b.io, c.d@e.co.uk", 2, 0, "two: [email], [email]"},
	}
	for _, c := range cases {
		f := Find(c.text)
		if len(f.Emails) != c.emails || len(f.Phones) != c.phones {
			t.Errorf("Find(%q) = %d emails %v, %d phones %v; want %d, %d", c.text, len(f.Emails), f.Emails, len(f.Phones), f.Phones, c.emails, c.phones)
		}
		if got := Redact(c.text); got != c.redacted {
			t.Errorf("Redact(%q) = %q; want %q", c.text, got, c.redacted)
		}
	}
}

func BenchmarkRedactTweet(b *testing.B) {
	text := "@acme my order #4411 never arrived, third time this month. Fix it or I'm switching to Globex 😡 https://t.co/abc"
	b.ReportAllocs()
	for b.Loop() {
		_ = Redact(text)
	}
}
