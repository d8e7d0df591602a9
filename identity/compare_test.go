package identity

import (
	"math"
	"testing"
)

func TestJaroWinkler(t *testing.T) {
	// Known values from Winkler (1990) and the usual textbook examples.
	f := func(a, b string, want float64) {
		t.Helper()
		if got := JaroWinkler(a, b); math.Abs(got-want) > 0.0005 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f; want %.3f", a, b, got, want)
		}
		if got := JaroWinkler(b, a); math.Abs(got-want) > 0.0005 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f; want %.3f (symmetry)", b, a, got, want)
		}
	}
	f("MARTHA", "MARHTA", 0.961)
	f("DWAYNE", "DUANE", 0.840)
	f("DIXON", "DICKSONX", 0.813)
	f("JELLYFISH", "SMELLYFISH", 0.896)
	f("abc", "abc", 1)
	f("abc", "xyz", 0)
	f("", "abc", 0)
	f("a", "a", 1)
	f("zoë", "zoé", 0.822) // runes, not bytes: 2 of 3 runes match
}

func TestJaro(t *testing.T) {
	f := func(a, b string, want float64) {
		t.Helper()
		if got := Jaro(a, b); math.Abs(got-want) > 0.0005 {
			t.Errorf("Jaro(%q, %q) = %.4f; want %.3f", a, b, got, want)
		}
	}
	f("MARTHA", "MARHTA", 0.944)
	f("DWAYNE", "DUANE", 0.822)
	f("DIXON", "DICKSONX", 0.767)
	f("", "", 0)
}

func TestEditDistance(t *testing.T) {
	f := func(a, b string, want int) {
		t.Helper()
		if got := EditDistance(a, b); got != want {
			t.Errorf("EditDistance(%q, %q) = %d; want %d", a, b, got, want)
		}
	}
	f("", "", 0)
	f("", "abc", 3)
	f("1234", "1234", 0)
	f("1234", "1243", 1) // adjacent transposition
	f("1234", "1235", 1)
	f("1234", "123", 1)
	f("1234", "4321", 3)
	f("ca", "abc", 3) // optimal string alignment, not unrestricted Damerau (2)
	f("kitten", "sitting", 3)
}

func TestComparators(t *testing.T) {
	f := func(c Comparator, a, b, want string) {
		t.Helper()
		if got := LevelName(c, c.Compare(a, b)); got != want {
			t.Errorf("%T.Compare(%q, %q) = %s; want %s", c, a, b, got, want)
		}
	}
	f(Exact{}, "wa", "wa", "exact")
	f(Exact{}, "wa", "sa", "disagree")
	f(Exact{}, "", "sa", "missing")

	f(nameLevels, "martha", "martha", "exact")
	f(nameLevels, "martha", "marhta", "jw>=0.92")
	f(nameLevels, "dwayne", "duane", "jw>=0.8")
	f(nameLevels, "martha", "stephen", "disagree")
	f(nameLevels, "martha", "", "missing")

	f(Digits{}, "4011", "4011", "exact")
	f(Digits{}, "4011", "4012", "one edit")
	f(Digits{}, "4011", "4101", "one edit")
	f(Digits{}, "4011", "5021", "disagree")
	f(Digits{}, "", "4011", "missing")

	f(Date{}, "19081209", "19081209", "exact")
	f(Date{}, "19081209", "19080912", "typo") // day and month swapped
	f(Date{}, "19081209", "19081299", "typo") // one digit
	f(Date{}, "19081209", "19181209", "typo") // one digit
	f(Date{}, "19081209", "19081231", "near") // same year and month
	f(Date{}, "19081209", "19181219", "near") // two digits
	f(Date{}, "19081209", "19800912", "disagree")
	f(Date{}, "", "19800912", "missing")
}

func TestJaroWinklerLevelsNames(t *testing.T) {
	got := JaroWinklerLevels{Thresholds: []float64{0.92, 0.8}}.Levels()
	want := []string{"disagree", "jw>=0.8", "jw>=0.92", "exact"}
	if len(got) != len(want) {
		t.Fatalf("levels %v; want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("levels %v; want %v", got, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	f := func(got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("got %q; want %q", got, want)
		}
	}
	f(NormalizeText("  O'Brien-Smith  "), "o brien smith")
	f(NormalizeText("ZOË  Müller"), "zoe muller")
	f(NormalizeDigits(" 40-11 "), "4011")
	f(NormalizePhone("+61 (0)412 345 678"), "0412345678")
	f(NormalizeDate("1908-12-09"), "19081209")
	f(NormalizeDate("9/12/1908"), "19081209")
	f(NormalizeDate("19081209"), "19081209")
	f(NormalizeEmail(" Ann@Example.COM "), "ann@example.com")
}

func TestWithinOneEdit(t *testing.T) {
	values := []string{"", "1", "12", "21", "123", "132", "213", "1234", "1243", "2134", "1324", "12345", "1235", "124", "4321", "0123"}
	for _, a := range values {
		for _, b := range values {
			if got, want := withinOneEdit(a, b), EditDistance(a, b) <= 1; got != want {
				t.Errorf("withinOneEdit(%q, %q) = %v; want %v", a, b, got, want)
			}
		}
	}
}
