package identity

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// A Table is a CSV file read into memory: its header and rows, every cell trimmed of surrounding spaces.
type Table struct {
	Header []string
	Rows   [][]string
}

// ReadTable reads CSV with a header line. Rows shorter than the header are padded with empty cells;
// longer rows are an error.
func ReadTable(r io.Reader) (*Table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("reading CSV: empty input, no header")
		}
		return nil, fmt.Errorf("reading CSV header: %w", err)
	}
	t := &Table{Header: trimAll(header)}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading CSV: %w", err)
		}
		if len(row) > len(t.Header) {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("reading CSV line %d: %d fields, header has %d", line, len(row), len(t.Header))
		}
		for len(row) < len(t.Header) {
			row = append(row, "")
		}
		t.Rows = append(t.Rows, trimAll(row))
	}
}

func trimAll(v []string) []string {
	for i := range v {
		v[i] = strings.TrimSpace(v[i])
	}
	return v
}

// Column returns the index of the column named name (compared after NormalizeColumn), or -1.
func (t *Table) Column(name string) int {
	name = NormalizeColumn(name)
	for i, h := range t.Header {
		if NormalizeColumn(h) == name {
			return i
		}
	}
	return -1
}

// A Mapping says which column plays which role, separately for the left and the right input.
type Mapping struct {
	Left, Right map[Role]string
}

// ParseMapping reads "role=column,role=column": each role with the column that plays it, in both inputs,
// or "role=leftcolumn:rightcolumn" when the two inputs name it differently. Roles are the Role names or
// their common aliases (first_name, last_name, zip, ssn, …). An empty string is an empty mapping.
func ParseMapping(s string) (Mapping, error) {
	m := Mapping{Left: map[Role]string{}, Right: map[Role]string{}}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		role, col, ok := strings.Cut(item, "=")
		if !ok {
			return Mapping{}, fmt.Errorf("mapping %q: want role=column", item)
		}
		r, err := ParseRole(role)
		if err != nil {
			return Mapping{}, fmt.Errorf("mapping %q: %w", item, err)
		}
		if _, dup := m.Left[r]; dup {
			return Mapping{}, fmt.Errorf("mapping %q: role %s given twice", item, r)
		}
		left, right, two := strings.Cut(col, ":")
		if !two {
			right = left
		}
		left, right = strings.TrimSpace(left), strings.TrimSpace(right)
		if left == "" || right == "" {
			return Mapping{}, fmt.Errorf("mapping %q: empty column name", item)
		}
		m.Left[r], m.Right[r] = left, right
	}
	return m, nil
}

// DetectRoles maps every column of t whose name is a role or one of its aliases to that role; when two
// columns qualify for one role, the first wins.
func DetectRoles(t *Table) map[Role]string {
	m := map[Role]string{}
	for _, h := range t.Header {
		r, err := ParseRole(h)
		if err != nil {
			continue
		}
		if _, ok := m[r]; !ok {
			m[r] = h
		}
	}
	return m
}

// Input is one CSV table and how to read it.
type Input struct {
	Table *Table
	// IDColumn names the column holding record identifiers; empty means the row number (1-based).
	IDColumn string
	// Columns maps each role to its column in Table.
	Columns map[Role]string
}

// NewDataset builds the dataset of one input (deduplication, right == nil) or two (linkage). Only roles
// mapped in every input become fields.
func NewDataset(left Input, right *Input) (*Dataset, error) {
	inputs := []Input{left}
	if right != nil {
		inputs = append(inputs, *right)
	}
	var roles []Role
	for _, r := range Roles {
		ok := true
		for _, in := range inputs {
			if _, has := in.Columns[r]; !has {
				ok = false
			}
		}
		if ok {
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 {
		return nil, errors.New("no role mapped to a column in every input; give -map role=column,…")
	}
	d := &Dataset{Fields: NewFields(roles), Link: right != nil}
	for src, in := range inputs {
		cols := make([]int, len(d.Fields))
		for f, fld := range d.Fields {
			name := in.Columns[fld.Role]
			if cols[f] = in.Table.Column(name); cols[f] < 0 {
				return nil, fmt.Errorf("input %d: no column %q (for role %s); columns: %s", src+1, name, fld.Role, strings.Join(in.Table.Header, ", "))
			}
		}
		idCol := -1
		if in.IDColumn != "" {
			if idCol = in.Table.Column(in.IDColumn); idCol < 0 {
				return nil, fmt.Errorf("input %d: no id column %q", src+1, in.IDColumn)
			}
		}
		for n, row := range in.Table.Rows {
			rec := Record{Source: src, Values: make([]string, len(cols)), Raw: make([]string, len(cols))}
			if idCol >= 0 {
				rec.ID = row[idCol]
			} else {
				rec.ID = strconv.Itoa(n + 1)
			}
			for f, c := range cols {
				rec.Raw[f] = row[c]
				rec.Values[f] = d.Fields[f].Role.Normalize(row[c])
			}
			d.Records = append(d.Records, rec)
		}
	}
	return d, nil
}

// Roles returns the roles of d's fields.
func (d *Dataset) Roles() []Role {
	rs := make([]Role, len(d.Fields))
	for i, f := range d.Fields {
		rs[i] = f.Role
	}
	return slices.Clip(rs)
}
