package kpi

import (
	"fmt"
	"testing"
	"time"
)

func TestCustomerParts(t *testing.T) {
	day := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	str := func(parts []customerPart) string {
		s := ""
		for _, p := range parts {
			kind := "days"
			switch {
			case p.monthly:
				kind = "months"
			case p.subtract:
				kind = "minus days"
			}
			s += fmt.Sprintf("[%s %s–%s)", kind, p.lo.Format("Jan 2"), p.hi.Format("Jan 2"))
		}
		return s
	}
	for _, c := range []struct {
		q    Query
		want string
	}{
		// 90 and 30 days ending on a month's first day: the first month as the month minus its first days.
		{Query{From: day(2026, 8, 3, 0), To: day(2026, 11, 1, 0)}, "[minus days Aug 1–Aug 3)[months Aug 1–Nov 1)"},
		{Query{From: day(2026, 10, 2, 0), To: day(2026, 11, 1, 0)}, "[minus days Oct 1–Oct 2)[months Oct 1–Nov 1)"},
		// Entered late: its days directly, running on into the last month's.
		{Query{From: day(2026, 10, 20, 0), To: day(2026, 11, 8, 0)}, "[days Oct 20–Nov 8)"},
		{Query{From: day(2026, 9, 25, 0), To: day(2026, 11, 8, 0)}, "[days Sep 25–Oct 1)[months Oct 1–Nov 1)[days Nov 1–Nov 8)"},
		// Inside one month.
		{Query{From: day(2026, 10, 3, 0), To: day(2026, 10, 6, 0)}, "[days Oct 3–Oct 6)"},
		{Query{From: day(2026, 10, 3, 0), To: day(2026, 11, 1, 0)}, "[minus days Oct 1–Oct 3)[months Oct 1–Nov 1)"},
		// Bounds inside a day include the whole day.
		{Query{From: day(2026, 10, 15, 10), To: day(2026, 11, 3, 13)}, "[days Oct 15–Nov 4)"},
		{Query{From: day(2026, 10, 1, 0), To: day(2026, 12, 1, 0)}, "[months Oct 1–Dec 1)"},
		{Query{From: day(2026, 12, 5, 0), To: day(2027, 2, 1, 0)}, "[minus days Dec 1–Dec 5)[months Dec 1–Feb 1)"},
		{Query{From: day(2026, 10, 2, 0), To: day(2026, 12, 10, 0)}, "[minus days Oct 1–Oct 2)[months Oct 1–Dec 1)[days Dec 1–Dec 10)"},
		// Several buckets, or a segment (a month row holds one): days only.
		{Query{From: day(2026, 8, 3, 0), To: day(2026, 11, 1, 0), Interval: 24 * time.Hour}, "[days Aug 3–Nov 1)"},
		{Query{From: day(2026, 8, 3, 0), To: day(2026, 11, 1, 0), Segment: "gold"}, "[days Aug 3–Nov 1)"},
	} {
		if got := str(c.q.customerParts()); got != c.want {
			t.Errorf("%s – %s (interval %s, segment %q): parts %s; want %s", c.q.From, c.q.To, c.q.Interval, c.q.Segment, got, c.want)
		}
	}
}
