package dashboards_test

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// variable is a dashboard template variable as the tests see it: its definition and the values selected.
type variable struct {
	Name     string
	Type     string
	Multi    bool
	AllValue string
	Const    string   // value of a constant variable
	All      bool     // "All" is selected
	Values   []string // the selected values otherwise
}

// expander reproduces what Grafana and the ClickHouse datasource do to a query before it reaches ClickHouse:
// template variables first (in the browser), then the datasource's macros (in its backend).
type expander struct {
	from, to time.Time
	interval time.Duration
	vars     map[string]*variable
}

var (
	// ${name}, ${name:format}, $name and [[name]] (Grafana's variable syntaxes).
	varRe   = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)(?::([A-Za-z0-9_]+))?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z0-9_]+)\]\]`)
	macroRe = regexp.MustCompile(`\$__([A-Za-z0-9_]+)`)
)

// expandVars replaces the template variables of q. A multi-value variable without an explicit format is an
// error: Grafana's default formatting of several values depends on the datasource.
func (e *expander) expandVars(q string) (string, error) {
	var err error
	out := varRe.ReplaceAllStringFunc(q, func(m string) string {
		sub := varRe.FindStringSubmatch(m)
		name, format := sub[1], sub[2]
		if name == "" {
			name = sub[3]
		}
		if name == "" {
			name = sub[4]
		}
		if strings.HasPrefix(name, "__") {
			return m // a macro or a Grafana built-in, handled later
		}
		v, ok := e.vars[name]
		if !ok {
			err = fmt.Errorf("unknown variable %q in %q", name, m)
			return m
		}
		s, ferr := v.format(format)
		if ferr != nil {
			err = ferr
		}
		return s
	})
	return out, err
}

func (v *variable) format(format string) (string, error) {
	if v.Type == "constant" {
		return v.Const, nil
	}
	if v.All && v.AllValue != "" && format != "text" && format != "percentencode" {
		return v.AllValue, nil // Grafana inserts a custom all value as written, whatever the format
	}
	vals := v.Values
	if v.Multi && format == "" {
		return "", fmt.Errorf("multi-value variable %s used without a format", v.Name)
	}
	switch format {
	case "", "raw", "csv":
		return strings.Join(vals, ","), nil
	case "singlequote":
		q := make([]string, len(vals))
		for i, s := range vals {
			q[i] = "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
		}
		return strings.Join(q, ","), nil
	case "doublequote":
		q := make([]string, len(vals))
		for i, s := range vals {
			q[i] = `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
		}
		return strings.Join(q, ","), nil
	}
	return "", fmt.Errorf("variable %s: format %q not handled by the test", v.Name, format)
}

// expandMacros replaces the ClickHouse datasource's macros as its backend does.
func (e *expander) expandMacros(q string) (string, error) {
	var out strings.Builder
	for {
		loc := macroRe.FindStringSubmatchIndex(q)
		if loc == nil {
			out.WriteString(q)
			return out.String(), nil
		}
		out.WriteString(q[:loc[0]])
		name := q[loc[2]:loc[3]]
		rest := q[loc[1]:]
		var args []string
		if strings.HasPrefix(rest, "(") {
			end, a, err := macroArgs(rest)
			if err != nil {
				return "", fmt.Errorf("macro $__%s: %w", name, err)
			}
			args, rest = a, rest[end:]
		}
		s, err := e.macro(name, args)
		if err != nil {
			return "", err
		}
		out.WriteString(s)
		q = rest
	}
}

// macroArgs splits "(a, b(c, d))..." into its top-level arguments and returns the index after ')'.
func macroArgs(s string) (int, []string, error) {
	depth, start := 0, 1
	var args []string
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				args = append(args, strings.TrimSpace(s[start:i]))
				return i + 1, args, nil
			}
		case ',':
			if depth == 1 {
				args = append(args, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return 0, nil, fmt.Errorf("unbalanced parentheses in %q", s)
}

func (e *expander) macro(name string, args []string) (string, error) {
	want := func(n int) error {
		if len(args) != n {
			return fmt.Errorf("macro $__%s: %d arguments, want %d", name, len(args), n)
		}
		return nil
	}
	from, to := fmt.Sprintf("toDateTime(%d)", e.from.Unix()), fmt.Sprintf("toDateTime(%d)", e.to.Unix())
	secs := int(math.Max(e.interval.Seconds(), 1))
	switch name {
	case "fromTime":
		return from, want(0)
	case "toTime":
		return to, want(0)
	case "interval_s":
		return strconv.Itoa(secs), want(0)
	case "timeFilter":
		if err := want(1); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s >= %s AND %s <= %s", args[0], from, args[0], to), nil
	case "dateFilter":
		if err := want(1); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s >= toDate('%s') AND %s <= toDate('%s')", args[0], e.from.UTC().Format("2006-01-02"),
			args[0], e.to.UTC().Format("2006-01-02")), nil
	case "timeInterval":
		if err := want(1); err != nil {
			return "", err
		}
		return fmt.Sprintf("toStartOfInterval(toDateTime(%s), INTERVAL %d second)", args[0], secs), nil
	}
	return "", fmt.Errorf("macro $__%s is not one the test knows", name)
}

// expand applies both steps.
func (e *expander) expand(q string) (string, error) {
	s, err := e.expandVars(q)
	if err != nil {
		return "", err
	}
	return e.expandMacros(s)
}

func TestExpander(t *testing.T) {
	e := &expander{
		from: time.Unix(1000, 0), to: time.Unix(5000, 0), interval: 90 * time.Second,
		vars: map[string]*variable{
			"brand":  {Name: "brand", Type: "query", Multi: true, AllValue: "'__all__'", All: true},
			"net":    {Name: "net", Type: "query", Multi: true, AllValue: "'__all__'", Values: []string{"x", "o'k"}},
			"target": {Name: "target", Type: "constant", Const: "0.8"},
		},
	}
	for _, c := range []struct{ in, want string }{
		{"b IN (${brand:singlequote})", "b IN ('__all__')"},
		{"n IN (${net:singlequote}) AND $target > 0", `n IN ('x','o\'k') AND 0.8 > 0`},
		{"${net:csv}", "x,o'k"},
		{"WHERE $__timeFilter(created_at) AND t < $__toTime", "WHERE created_at >= toDateTime(1000) AND created_at <= toDateTime(5000) AND t < toDateTime(5000)"},
		{"intDiv(toUInt32(c), $__interval_s)", "intDiv(toUInt32(c), 90)"},
		{"$__timeFilter(toDateTime(f(a, b)))", "toDateTime(f(a, b)) >= toDateTime(1000) AND toDateTime(f(a, b)) <= toDateTime(5000)"},
	} {
		got, err := e.expand(c.in)
		if err != nil || got != c.want {
			t.Errorf("expand(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"${nope}", "$net", "$__timeFilter(a", "$__unknownMacro", "$__timeFilter(a, b)"} {
		if got, err := e.expand(bad); err == nil {
			t.Errorf("expand(%q) = %q; want an error", bad, got)
		}
	}
}
