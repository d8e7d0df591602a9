package identity

import (
	"strings"
	"testing"
)

func TestParseMapping(t *testing.T) {
	m, err := ParseMapping("first_name=First Name, surname=last:family, zip=postcode")
	if err != nil {
		t.Fatal(err)
	}
	f := func(side map[Role]string, r Role, want string) {
		t.Helper()
		if got := side[r]; got != want {
			t.Errorf("role %s: column %q; want %q", r, got, want)
		}
	}
	f(m.Left, GivenName, "First Name")
	f(m.Right, GivenName, "First Name")
	f(m.Left, Surname, "last")
	f(m.Right, Surname, "family")
	f(m.Left, Postcode, "postcode")

	for spec, want := range map[string]string{
		"given_name":                  "want role=column",
		"nickname=x":                  `unknown role "nickname"`,
		"surname=a,last_name=b":       "role surname given twice",
		"surname=":                    "empty column name",
		"surname=a:":                  "empty column name",
		"given_name=a,,surname=b,bad": "want role=column",
	} {
		if _, err := ParseMapping(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMapping(%q): error %v; want one containing %q", spec, err, want)
		}
	}
}

func TestReadTableAndDataset(t *testing.T) {
	tab, err := ReadTable(strings.NewReader("rec_id, given_name, surname, date_of_birth, soc_sec_id\nr1, Anna , Lee, 19840312, 123-4567\nr2, bob\n"))
	if err != nil {
		t.Fatal(err)
	}
	roles := DetectRoles(tab)
	if roles[GivenName] != "given_name" || roles[BirthDate] != "date_of_birth" || roles[ID] != "soc_sec_id" {
		t.Fatalf("detected roles %v", roles)
	}
	d, err := NewDataset(Input{Table: tab, IDColumn: "rec_id", Columns: roles}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Roles(); len(got) != 4 || got[0] != GivenName || got[3] != ID {
		t.Errorf("roles %v; want [given_name surname dob id_number]", got)
	}
	r := d.Records[0]
	if r.ID != "r1" || r.Values[0] != "anna" || r.Raw[0] != "Anna" || r.Values[3] != "1234567" {
		t.Errorf("record %+v", r)
	}
	if d.Records[1].Values[1] != "" {
		t.Errorf("short row not padded: %+v", d.Records[1])
	}
	if _, err := ReadTable(strings.NewReader("a,b\n1,2,3\n")); err == nil || !strings.Contains(err.Error(), "3 fields, header has 2") {
		t.Errorf("long row: error %v", err)
	}
	if _, err := ReadTable(strings.NewReader("")); err == nil {
		t.Error("empty input: no error")
	}
}

func TestCandidatesLinkOnlyAcrossSources(t *testing.T) {
	d := &Dataset{Fields: NewFields([]Role{Surname}), Link: true}
	for i, s := range []string{"lee", "lee", "lea", "lee", "li"} {
		d.Records = append(d.Records, Record{Source: i % 2, Values: []string{s}})
	}
	pairs := Candidates(d, DefaultPasses, DefaultWindow)
	if len(pairs) == 0 {
		t.Fatal("no candidates")
	}
	for _, p := range pairs {
		if p[0] >= p[1] {
			t.Errorf("pair %v not ordered", p)
		}
		if d.Records[p[0]].Source == d.Records[p[1]].Source {
			t.Errorf("pair %v within one source", p)
		}
	}
}

func TestCandidatesWindowBound(t *testing.T) {
	d, _ := synthDataset(200, 9)
	pairs := Candidates(d, DefaultPasses, 3)
	// Every pass pairs a record with at most window-1 others.
	if max := len(d.Records) * len(DefaultPasses) * 2; len(pairs) > max {
		t.Errorf("%d candidates; want at most %d", len(pairs), max)
	}
	seen := map[[2]int32]bool{}
	for _, p := range pairs {
		if seen[p] {
			t.Fatalf("pair %v twice", p)
		}
		seen[p] = true
	}
}
