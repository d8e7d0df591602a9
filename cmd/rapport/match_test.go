package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const matchFixtures = "../../identity/testdata"

// runMatchTest runs the match command and returns its output lines, decoded, and its standard error.
func runMatchTest(t *testing.T, args ...string) ([]matchLine, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := runMatch(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("rapport match %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut.String())
	}
	var lines []matchLine
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var l matchLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines, errOut.String()
}

// metric returns the value printed after name on standard error.
func metric(t *testing.T, stderr, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(name) + ` ([0-9.]+)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no %q in stderr:\n%s", name, stderr)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// decisions maps "left-right" to the decision on that pair.
func decisions(lines []matchLine) map[string]string {
	got := map[string]string{}
	for _, l := range lines {
		got[l.Left+"-"+l.Right] = string(l.Decision)
	}
	return got
}

func TestMatchDedupFixture(t *testing.T) {
	lines, stderr := runMatchTest(t,
		"-left", filepath.Join(matchFixtures, "customers.csv"),
		"-map", "given_name=first_name,surname=last_name,dob=birth_date,address=street,postcode=zip,city=city,phone=phone,email=email",
		"-id", "customer_id", "-truth", "person")
	t.Logf("stderr:\n%s", stderr)
	got := decisions(lines)
	for _, pair := range []string{"c01-c02", "c01-c03", "c02-c03", "c04-c05", "c06-c07", "c08-c09"} {
		if got[pair] != "link" {
			t.Errorf("pair %s: decision %q; want link", pair, got[pair])
		}
	}
	// Two David Smiths in Perth, born 28 years apart: same name and place, nothing else. The model is
	// unsure (review), and must not link them.
	for _, pair := range []string{"c08-c10", "c09-c10"} {
		if got[pair] != "review" {
			t.Errorf("pair %s (two different David Smiths): decision %q; want review", pair, got[pair])
		}
	}
	for _, l := range lines {
		if l.Probability < 0.5 || l.Probability > 1 {
			t.Errorf("pair %s-%s: probability %g outside [0.5, 1]", l.Left, l.Right, l.Probability)
		}
		if len(l.Evidence) != 8 {
			t.Errorf("pair %s-%s: %d evidence entries; want 8", l.Left, l.Right, len(l.Evidence))
		}
		var sum float64
		for _, e := range l.Evidence {
			sum += e.Weight
		}
		if d := sum - l.Weight; d > 0.01 || d < -0.01 {
			t.Errorf("pair %s-%s: evidence weights sum to %.3f; total weight %.3f", l.Left, l.Right, sum, l.Weight)
		}
	}
	if p := metric(t, stderr, "precision"); p != 1 {
		t.Errorf("precision %g; want 1", p)
	}
	if r := metric(t, stderr, "recall"); r != 1 {
		t.Errorf("recall %g; want 1", r)
	}
	if tp := metric(t, stderr, "true pairs"); tp != 6 {
		t.Errorf("true pairs %g; want 6 (3 for c01–c03, one each for p2, p3, p4)", tp)
	}
}

func TestMatchLinkFixture(t *testing.T) {
	out := filepath.Join(t.TempDir(), "pairs.jsonl")
	_, stderr := runMatchTest(t,
		"-left", filepath.Join(matchFixtures, "customers.csv"), "-right", filepath.Join(matchFixtures, "shop.csv"),
		"-map", "given_name=first_name:given,surname=last_name:surname,dob=birth_date:dob,address=street:address,postcode=zip:postcode,city=city:suburb,phone=phone:mobile,email=email:mail",
		"-id", "customer_id:account", "-truth", "person", "-out", out)
	t.Logf("stderr:\n%s", stderr)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
		var l matchLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		got[l.Left+"-"+l.Right] = string(l.Decision)
	}
	for _, pair := range []string{"c01-s1", "c02-s1", "c03-s1", "c04-s2", "c05-s2", "c06-s3", "c07-s3", "c10-s4"} {
		if got[pair] != "link" {
			t.Errorf("pair %s: decision %q; want link (got %v)", pair, got[pair], got)
		}
	}
	if tp := metric(t, stderr, "true pairs"); tp != 8 {
		t.Errorf("true pairs %g; want 8", tp)
	}
	if f1 := metric(t, stderr, "F1"); f1 < 0.99 {
		t.Errorf("F1 %g; want 1", f1)
	}
}

func TestMatchRowNumbersAsIDs(t *testing.T) {
	lines, _ := runMatchTest(t, "-left", filepath.Join(matchFixtures, "customers.csv"))
	if got := decisions(lines)["4-5"]; got != "link" {
		t.Errorf("rows 4 and 5 (c04, c05): decision %q; want link", got)
	}
}

func TestMatchDetectsRoles(t *testing.T) {
	_, stderr := runMatchTest(t, "-left", filepath.Join(matchFixtures, "customers.csv"), "-id", "customer_id", "-truth", "person")
	if !strings.Contains(stderr, "fields [given_name surname dob address postcode city phone email]") {
		t.Errorf("roles not detected from column names; stderr:\n%s", stderr)
	}
}

func TestMatchErrors(t *testing.T) {
	fixture := filepath.Join(matchFixtures, "customers.csv")
	f := func(want string, args ...string) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := runMatch(context.Background(), args, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("rapport match %s: error %v; want one containing %q", strings.Join(args, " "), err, want)
		}
	}
	f("-left is required")
	f("no such file", "-left", "does-not-exist.csv")
	f(`unknown role "nickname"`, "-left", fixture, "-map", "nickname=first_name")
	f(`no column "forename"`, "-left", fixture, "-map", "given_name=forename")
	f("want role=column", "-left", fixture, "-map", "given_name")
	f("nor a regular expression", "-left", fixture, "-truth", "rec-(")
	f("no id column", "-left", fixture, "-id", "nope")
	f("thresholds", "-left", fixture, "-link", "0.4", "-review", "0.6")
}

// TestMatchFebrl runs the command on the first Febrl deduplication file in ../shared (or
// $RAPPORT_TEST_FEBRL), with the entity taken from the record id. It skips when the file is absent, except
// under CI=true. The identity package's TestFebrl covers all three files through the library.
func TestMatchFebrl(t *testing.T) {
	dir := os.Getenv("RAPPORT_TEST_FEBRL")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "datasets", "matching", "febrl")
	}
	if _, err := os.Stat(filepath.Join(dir, "dataset1.csv")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Febrl data sets not found in %s (set RAPPORT_TEST_FEBRL): %v", dir, err)
		}
		t.Skipf("Febrl data sets not found in %s (set RAPPORT_TEST_FEBRL to run this test): %v", dir, err)
	}
	lines, stderr := runMatchTest(t, "-left", filepath.Join(dir, "dataset1.csv"), "-id", "rec_id", "-truth", `rec-(\d+)-`)
	t.Logf("%s", stderr)
	if f1 := metric(t, stderr, "F1"); f1 < 0.99 {
		t.Errorf("F1 %g; want ≥ 0.99", f1)
	}
	if br := metric(t, stderr, "blocking recall"); br < 0.995 {
		t.Errorf("blocking recall %g; want ≥ 0.995", br)
	}
	if tp := metric(t, stderr, "true pairs"); len(lines) < int(tp) {
		t.Errorf("%d pairs written; want at least the %g true pairs", len(lines), tp)
	}
}

func TestMatchCmdWritesFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "pairs.jsonl")
	if err := matchCmd(context.Background(), []string{"-left", filepath.Join(matchFixtures, "customers.csv"), "-id", "customer_id", "-out", out}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 8 {
		t.Errorf("%d lines in %s; want 8 (6 links, 2 reviews):\n%s", n, out, data)
	}
	if !strings.Contains(string(data), `"left":"c04","right":"c05"`) {
		t.Errorf("pair c04-c05 missing from %s", out)
	}
}
