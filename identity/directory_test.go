package identity

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/identity/pii"
)

func testHasher(t testing.TB) *pii.Hasher {
	t.Helper()
	h, err := pii.New([]byte("0123456789abcdef-test-key"))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustCustomer(t testing.TB, h *pii.Hasher, r CustomerRecord) Customer {
	t.Helper()
	c, err := NewCustomer(h, r, 1, time.Unix(0, 0))
	if err != nil {
		t.Fatalf("NewCustomer(%s): %v", r.ID, err)
	}
	return c
}

// crowd returns n consenting customers named after common patterns, so that names repeat and the
// directory's frequencies look like a real one's.
func crowd(t testing.TB, h *pii.Hasher, n int) []Customer {
	firsts := []string{"James", "Mary", "John", "Linda", "Robert", "Susan", "Ahmed", "Mei", "Carlos", "Anna"}
	lasts := []string{"Smith", "Jones", "Brown", "Garcia", "Chen", "Khan", "Miller", "Davis"}
	cities := []string{"London", "Leeds", "Austin", "Denver", "Lyon", "Porto"}
	out := make([]Customer, 0, n)
	for i := range n {
		f, l := firsts[i%len(firsts)], lasts[(i/len(firsts))%len(lasts)]
		out = append(out, mustCustomer(t, h, CustomerRecord{
			ID: fmt.Sprintf("crowd%d", i), Name: f + " " + l, Consent: true, City: cities[i%len(cities)],
			Emails: []string{fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(f), strings.ToLower(l), i)},
		}))
	}
	return out
}

func newDir(t testing.TB, h *pii.Hasher, cs []Customer) *Directory {
	t.Helper()
	d, err := NewDirectory(cs, h, MatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func only(t *testing.T, got []CustomerMatch, id, status string) CustomerMatch {
	t.Helper()
	if len(got) != 1 || got[0].CustomerID != id || got[0].Status != status {
		t.Fatalf("got %+v; want exactly %s as %s", got, id, status)
	}
	return got[0]
}

func hasEvidence(t *testing.T, m CustomerMatch, prefix string) {
	t.Helper()
	for _, e := range m.Evidence {
		if strings.HasPrefix(e, prefix) {
			return
		}
	}
	t.Errorf("evidence %q lacks %q", m.Evidence, prefix)
}

func TestDirectoryDeterministic(t *testing.T) {
	h := testHasher(t)
	cs := crowd(t, h, 400)
	cs = append(cs,
		mustCustomer(t, h, CustomerRecord{ID: "c-handle", Name: "Zed Quill", Handles: []string{"x:@ZedQ"}, Consent: true}),
		mustCustomer(t, h, CustomerRecord{ID: "c-mail", Name: "Opal Wren", Emails: []string{"Opal.Wren+shop@Example.org"}, Consent: true}),
		mustCustomer(t, h, CustomerRecord{ID: "c-phone", Name: "Ivo Lark", Phones: []string{"+44 20 7946 0958"}, Consent: true}),
		mustCustomer(t, h, CustomerRecord{ID: "c-masto", Name: "Uma Fjord", Handles: []string{"mastodon:uma@social.example"}, Consent: true}),
		mustCustomer(t, h, CustomerRecord{ID: "fam1", Name: "Pat Hale", Emails: []string{"hales@example.net"}, Consent: true}),
		mustCustomer(t, h, CustomerRecord{ID: "fam2", Name: "Sam Hale", Emails: []string{"hales@example.net"}, Consent: true}),
		mustCustomer(t, h, CustomerRecord{ID: "no-consent", Name: "Rex Noel", Handles: []string{"x:rexnoel"}}),
	)
	d := newDir(t, h, cs)

	m := only(t, d.Lookup(Author{Network: "x", Handle: "zedq", DisplayName: "something else"}), "c-handle", StatusAuto)
	if m.Probability != 1 || m.Evidence[0] != "handle confirmed" {
		t.Errorf("handle: got %+v; want probability 1 with evidence \"handle confirmed\" first", m)
	}
	if got := d.Lookup(Author{Network: "reddit", Handle: "zedq"}); len(got) != 0 {
		t.Errorf("a handle confirmed on x must not link the same handle on reddit: got %+v", got)
	}
	m = only(t, d.Lookup(Author{Network: "x", Handle: "anon", EmailHMACs: []string{h.Email("opal.wren@example.org")}}), "c-mail", StatusAuto)
	hasEvidence(t, m, "email match")
	m = only(t, d.Lookup(Author{Network: "x", Handle: "anon", PhoneHMACs: []string{h.Phone("+44 (20) 7946-0958")}}), "c-phone", StatusAuto)
	hasEvidence(t, m, "phone match")
	only(t, d.Lookup(Author{Network: "mastodon", Handle: "Uma@social.example"}), "c-masto", StatusAuto)
	only(t, d.Lookup(Author{Network: "mastodon", Handle: "uma", ProfileURL: "https://social.example/@uma"}), "c-masto", StatusAuto)

	got := d.Lookup(Author{Network: "x", Handle: "anon", EmailHMACs: []string{h.Email("hales@example.net")}})
	if len(got) != 2 || got[0].Status != StatusReview || got[1].Status != StatusReview {
		t.Errorf("an e-mail shared by two customers: got %+v; want both in review", got)
	}
	if !d.Consenting("c-handle") || d.Consenting("no-consent") || d.Consenting("nobody") {
		t.Error("Consenting: want true only for a consenting customer of the directory")
	}
	if got := d.Lookup(Author{Network: "x", Handle: "rexnoel", DisplayName: "Rex Noel"}); len(got) != 0 {
		t.Errorf("a customer without consent must never be proposed: got %+v", got)
	}
}

func TestDirectoryProbabilistic(t *testing.T) {
	h := testHasher(t)
	cs := crowd(t, h, 2000)
	cs = append(cs,
		mustCustomer(t, h, CustomerRecord{ID: "rare", Name: "Thaddeus Okonkwo-Marsh", City: "Leeds",
			Emails: []string{"tmarsh77@example.com"}, Consent: true}),
		mustCustomer(t, h, CustomerRecord{ID: "rare-typo", Name: "Philippa Vanstone", City: "Austin", Consent: true}),
	)
	d := newDir(t, h, cs)

	// A rare name, the handle equal to the e-mail local part, and the city: linked automatically.
	m := only(t, d.Lookup(Author{Network: "x", Handle: "tmarsh77", DisplayName: "Thaddeus Okonkwo-Marsh 🌻", Location: "Leeds, UK"}), "rare", StatusAuto)
	hasEvidence(t, m, "name exact")
	hasEvidence(t, m, "handle digits match email local part") // "tmarsh" is made of the name: only "77" is new
	hasEvidence(t, m, "location city")
	if m.Probability < 0.9 || m.Probability > 1 {
		t.Errorf("probability %g; want within [0.9, 1]", m.Probability)
	}

	// A typo in the name with the city: probable, not certain, and the evidence says Jaro–Winkler.
	got := d.Lookup(Author{Network: "x", Handle: "philippavanstone", DisplayName: "Phillipa Vanstone", Location: "Austin TX"})
	if len(got) != 1 || got[0].CustomerID != "rare-typo" {
		t.Fatalf("typo: got %+v; want rare-typo", got)
	}

	// A common name alone, shared by dozens of customers, proposes nobody.
	if got := d.Lookup(Author{Network: "x", Handle: "cooldude", DisplayName: "James Smith"}); len(got) != 0 {
		t.Errorf("common name: got %+v; want nothing", got)
	}
	// A handle that reads as a common name, and an unrelated display name: nothing.
	if got := d.Lookup(Author{Network: "x", Handle: "mary_jones", DisplayName: "🌙"}); len(got) != 0 {
		t.Errorf("common handle: got %+v; want nothing", got)
	}
	// Nothing in common at all: nothing, and no work.
	if got := d.Lookup(Author{Network: "x", Handle: "SaltyBadger1234"}); len(got) != 0 {
		t.Errorf("stranger: got %+v; want nothing", got)
	}
}

func TestDirectoryHandleConfirmedElsewhere(t *testing.T) {
	h := testHasher(t)
	cs := crowd(t, h, 2000)
	cs = append(cs,
		mustCustomer(t, h, CustomerRecord{ID: "gamer", Name: "Rosalind Pike", Handles: []string{"reddit:NightOwl_77"}, Consent: true}),
		mustCustomer(t, h, CustomerRecord{ID: "named", Name: "John Brown", Handles: []string{"reddit:johnbrown"}, Consent: true}),
	)
	d := newDir(t, h, cs)
	// A distinctive handle confirmed on reddit, seen on x with the same name: linked, by evidence.
	m := only(t, d.Lookup(Author{Network: "x", Handle: "nightowl_77", DisplayName: "Rosalind Pike"}), "gamer", StatusAuto)
	hasEvidence(t, m, "handle confirmed on another network")
	// A handle that is just a common name says nothing more than the name: nobody.
	if got := d.Lookup(Author{Network: "x", Handle: "johnbrown", DisplayName: "John Brown"}); len(got) != 0 {
		t.Errorf("a name-only handle confirmed elsewhere: got %+v; want nothing", got)
	}
}

func TestDirectoryTwinsShareProbability(t *testing.T) {
	h := testHasher(t)
	cs := crowd(t, h, 500)
	// Two customers with the same rare name in the same city: neither can be linked automatically.
	for _, id := range []string{"twin1", "twin2"} {
		cs = append(cs, mustCustomer(t, h, CustomerRecord{ID: id, Name: "Ottoline Brackenbury", City: "Porto", Consent: true}))
	}
	d := newDir(t, h, cs)
	for _, m := range d.Lookup(Author{Network: "x", Handle: "ob", DisplayName: "Ottoline Brackenbury", Location: "Porto"}) {
		if m.Status == StatusAuto {
			t.Errorf("twin %s linked automatically (p=%g); two equal candidates must share the probability", m.CustomerID, m.Probability)
		}
	}
}

func TestNewCustomerErrorsNameTheField(t *testing.T) {
	h := testHasher(t)
	for _, tc := range []struct {
		rec   CustomerRecord
		field string
	}{
		{CustomerRecord{Name: "x"}, "id"},
		{CustomerRecord{ID: "1", Emails: []string{"ok@example.com", "not-an-address"}}, "emails[1]"},
		{CustomerRecord{ID: "1", Phones: []string{"12"}}, "phones[0]"},
		{CustomerRecord{ID: "1", Handles: []string{"janedoe"}}, "handles[0]"},
		{CustomerRecord{ID: "1", Websites: []string{"nothing"}}, "websites[0]"},
	} {
		_, err := NewCustomer(h, tc.rec, 1, time.Now())
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("NewCustomer(%+v): got %v; want an error on field %s", tc.rec, err, tc.field)
		}
	}
	c, err := NewCustomer(h, CustomerRecord{ID: "7", Emails: []string{"Jane.Doe@Example.com"}, Phones: []string{"+1 555 010 9999"}}, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range append(append(c.EmailHMACs, c.PhoneHMACs...), c.LocalHMACs...) {
		if strings.Contains(strings.ToLower(v), "jane") || strings.Contains(v, "555") || len(v) != 64 {
			t.Errorf("stored value %q is not a keyed hash", v)
		}
	}
}

func TestDecodeCustomerRecord(t *testing.T) {
	if _, err := DecodeCustomerRecord("C1", []byte(`{"id":"C2"}`)); err == nil {
		t.Error("an id differing from the key must be an error")
	}
	if _, err := DecodeCustomerRecord("C1", []byte(`{"nmae":"x"}`)); err == nil {
		t.Error("an unknown field must be an error")
	}
	r, err := DecodeCustomerRecord("C1", []byte(`{"name":"Jane","consent":true,"handles":["x:jane"]}`))
	if err != nil || r.ID != "C1" || !r.Consent || r.Handles[0] != "x:jane" {
		t.Errorf("got %+v, %v", r, err)
	}
}

func TestLinkVersionAnalystOutranks(t *testing.T) {
	now := time.Now()
	if LinkVersion(true, now.Add(-24*time.Hour)) <= LinkVersion(false, now.Add(24*365*time.Hour)) {
		t.Error("an analyst's decision must outrank any automatic one")
	}
	again := time.UnixMilli(now.UnixMilli())
	if LinkVersion(false, now) != LinkVersion(false, again) {
		t.Error("automatic versions must depend only on the post's content time in milliseconds")
	}
}

func TestReadCustomersCSV(t *testing.T) {
	h := testHasher(t)
	in := "cid,full name,mail,tel,ok,ltv,handles\n" +
		"1,Jane Doe,jane@example.com,+44 20 7946 0958,yes,10.5,x:jane;reddit:jd\n" +
		"2,Bad Mail,not-mail,,yes,,\n" +
		"3,Bad Consent,,,maybe,,\n" +
		"4,Bad Value,,,no,lots,\n" +
		"5,Bad Handle,,,no,,janedoe\n" +
		"6,Fine,,,,,\n"
	m, err := ParseCSVMapping("id=cid,name=full name,email=mail,phone=tel,consent=ok,lifetime_value=ltv")
	if err != nil {
		t.Fatal(err)
	}
	var got []Customer
	n, bad, err := ReadCustomersCSV(strings.NewReader(in), m, h, 7, time.Unix(0, 0), func(c Customer) error {
		got = append(got, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(got) != 2 || got[0].ID != "1" || got[1].ID != "6" {
		t.Fatalf("imported %d %+v; want rows 1 and 6", n, got)
	}
	if !got[0].Consent || got[0].LifetimeValue != 10.5 || len(got[0].Handles) != 2 || len(got[0].EmailHMACs) != 1 || got[0].Version != 7 {
		t.Errorf("row 1: got %+v", got[0])
	}
	want := []RowError{{3, "emails[0]", ""}, {4, "consent", ""}, {5, "lifetime_value", ""}, {6, "handles[0]", ""}}
	if len(bad) != len(want) {
		t.Fatalf("bad rows: got %v; want lines 3–6", bad)
	}
	for i, w := range want {
		if bad[i].Line != w.Line || bad[i].Field != w.Field || bad[i].Msg == "" {
			t.Errorf("bad row %d: got %v; want line %d field %s with a reason", i, bad[i], w.Line, w.Field)
		}
	}
	if _, err := ParseCSVMapping("nmae=x"); err == nil {
		t.Error("an unknown field in the mapping must be an error")
	}
	if _, _, err := ReadCustomersCSV(strings.NewReader("a,b\n1,2\n"), DefaultCSVMapping(), h, 1, time.Now(), func(Customer) error { return nil }); err == nil || !strings.Contains(err.Error(), "customer_id") {
		t.Errorf("missing id column: got %v; want an error naming customer_id", err)
	}
}
