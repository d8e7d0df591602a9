package identity

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/identity/pii"
)

// CustomerFields are the fields a CRM CSV column can be mapped to. emails, phones, handles and websites
// may hold several values separated by ';'.
var CustomerFields = []string{"id", "name", "email", "phone", "city", "region", "country", "handles", "website",
	"consent", "segment", "lifetime_value"}

// CSVMapping maps customer fields (CustomerFields) to CSV column names.
type CSVMapping map[string]string

// DefaultCSVMapping maps every field to the column of the same name, and id to customer_id (the layout
// `rapport simulate -crm` writes).
func DefaultCSVMapping() CSVMapping {
	m := CSVMapping{}
	for _, f := range CustomerFields {
		m[f] = f
	}
	m["id"] = "customer_id"
	return m
}

// ParseCSVMapping reads "field=column,field=column"; fields not named keep their default column.
func ParseCSVMapping(spec string) (CSVMapping, error) {
	m := DefaultCSVMapping()
	if strings.TrimSpace(spec) == "" {
		return m, nil
	}
	for _, kv := range strings.Split(spec, ",") {
		f, col, ok := strings.Cut(kv, "=")
		f, col = strings.TrimSpace(f), strings.TrimSpace(col)
		if !ok || col == "" {
			return nil, fmt.Errorf("mapping %q: want field=column", kv)
		}
		if !slices.Contains(CustomerFields, f) {
			return nil, fmt.Errorf("mapping %q: unknown field %q (fields: %s)", kv, f, strings.Join(CustomerFields, ", "))
		}
		m[f] = col
	}
	return m, nil
}

// RowError is a CSV row that was not imported: its 1-based line number in the file (the header is line
// 1), the field at fault and why.
type RowError struct {
	Line  int
	Field string
	Msg   string
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg) }

// ReadCustomersCSV reads a CRM export with a header row and calls emit for each valid customer, hashing
// personal data on the way (clear e-mails and phones go no further than this function). Rows with a bad
// field are returned as RowErrors and skipped; the rest is imported. The mapping's id and name columns
// must exist; other mapped columns that the file lacks are left empty. err is set only when the file
// cannot be read at all or emit fails.
func ReadCustomersCSV(r io.Reader, m CSVMapping, h *pii.Hasher, version uint64, at time.Time, emit func(Customer) error) (imported int, bad []RowError, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return 0, nil, fmt.Errorf("reading the header: %w", err)
	}
	col := map[string]int{}
	for i, name := range header {
		col[strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))] = i
	}
	idx := map[string]int{}
	var missing []string
	for f, name := range m {
		i, ok := col[name]
		if !ok {
			if f == "id" || f == "name" {
				missing = append(missing, fmt.Sprintf("%s (for %s)", name, f))
			}
			continue
		}
		idx[f] = i
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return 0, nil, fmt.Errorf("the header lacks column %s", strings.Join(missing, ", "))
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return imported, bad, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, RowError{Line: pe.Line, Field: "csv", Msg: pe.Err.Error()})
				continue
			}
			return imported, bad, fmt.Errorf("reading line %d: %w", line, err)
		}
		get := func(f string) string {
			if i, ok := idx[f]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		cr := CustomerRecord{
			ID: get("id"), Name: get("name"), Emails: splitList(get("email")), Phones: splitList(get("phone")),
			City: get("city"), Region: get("region"), Country: get("country"), Handles: splitList(get("handles")),
			Websites: splitList(get("website")), Segment: get("segment"),
		}
		consent, ok := parseBool(get("consent"))
		if !ok {
			bad = append(bad, RowError{Line: line, Field: "consent", Msg: fmt.Sprintf("%q is not true/false, yes/no or 1/0", get("consent"))})
			continue
		}
		cr.Consent = consent
		if v := get("lifetime_value"); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				bad = append(bad, RowError{Line: line, Field: "lifetime_value", Msg: fmt.Sprintf("%q is not a number", v)})
				continue
			}
			cr.LifetimeValue = f
		}
		c, err := NewCustomer(h, cr, version, at)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				bad = append(bad, RowError{Line: line, Field: fe.Field, Msg: fe.Msg})
				continue
			}
			bad = append(bad, RowError{Line: line, Field: "row", Msg: err.Error()})
			continue
		}
		if err := emit(c); err != nil {
			return imported, bad, err
		}
		imported++
	}
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(s) {
	case "", "false", "no", "n", "0", "f":
		return false, true
	case "true", "yes", "y", "1", "t":
		return true, true
	}
	return false, false
}
