package pii

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/rapport-dev/rapport/identity/pii"
	"github.com/rapport-dev/rapport/post"
)

func TestStageRedactsAndHashes(t *testing.T) {
	h, err := pii.New([]byte("a-sixteen-byte-key-for-tests"))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	s := New(h, reg)
	p := &post.Post{
		Network: post.NetworkX, ID: "1",
		Text:   "@acme order lost, reach me at jane.doe@example.com or +1 415 555 0100",
		Author: post.Author{Bio: "Runner. Contact: JANE.DOE@example.com", ProfileURL: "mailto:jd@example.org"},
	}
	del := &post.Post{Network: post.NetworkX, ID: "2", Action: post.ActionDelete, Text: "x@example.com"}
	out, err := s.Process(context.Background(), []*post.Post{p, del})
	if err != nil || len(out) != 2 {
		t.Fatalf("Process = %d posts, %v", len(out), err)
	}
	all := p.Text + p.Author.Bio + p.Author.ProfileURL
	for _, clear := range []string{"jane.doe", "JANE.DOE", "555", "jd@example.org"} {
		if strings.Contains(all, clear) {
			t.Errorf("%q survived redaction: %q", clear, all)
		}
	}
	if p.Text != "@acme order lost, reach me at [email] or [phone]" {
		t.Errorf("text = %q", p.Text)
	}
	// The same address in text and bio (different case) is one hash; the mailto address is another.
	want := []string{h.Email("jane.doe@example.com"), h.Email("jd@example.org")}
	if len(p.PII.Emails) != 2 || p.PII.Emails[0] != want[0] || p.PII.Emails[1] != want[1] {
		t.Errorf("PII.Emails = %v; want %v", p.PII.Emails, want)
	}
	if len(p.PII.Phones) != 1 || p.PII.Phones[0] != h.Phone("+14155550100") {
		t.Errorf("PII.Phones = %v", p.PII.Phones)
	}
	if del.Text != "x@example.com" {
		t.Error("a delete notice was modified")
	}
	if got := testutil.ToFloat64(s.redacted.WithLabelValues("email")); got != 3 {
		t.Errorf("redacted e-mails metric = %v; want 3", got)
	}
}

func TestStageWithoutKeyStillRedacts(t *testing.T) {
	p := &post.Post{Text: "call 020 7946 0958"}
	if _, err := New(nil, nil).Process(context.Background(), []*post.Post{p}); err != nil {
		t.Fatal(err)
	}
	if p.Text != "call [phone]" || len(p.PII.Phones) != 0 {
		t.Errorf("text %q, hashes %v", p.Text, p.PII.Phones)
	}
}
