package sim

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// jw is a minimal append-only JSON writer. Keys are written in the order the caller gives them, which keeps
// payloads byte-stable for a given seed, and it avoids reflection so the generator stays fast.
type jw struct {
	b     []byte
	first bool // no member/element written yet in the innermost open object or array
}

func (w *jw) reset() { w.b = w.b[:0]; w.first = true }

func (w *jw) key(k string) {
	if w.first {
		w.b = append(append(append(w.b, '"'), k...), '"', ':')
	} else {
		w.b = append(append(append(w.b, ',', '"'), k...), '"', ':')
	}
	w.first = true // the value that follows needs no separator
}

func (w *jw) value() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
}

func (w *jw) obj()         { w.value(); w.b = append(w.b, '{'); w.first = true }
func (w *jw) endObj()      { w.b = append(w.b, '}'); w.first = false }
func (w *jw) arr()         { w.value(); w.b = append(w.b, '['); w.first = true }
func (w *jw) endArr()      { w.b = append(w.b, ']'); w.first = false }
func (w *jw) str(s string) { w.value(); w.b = appendJSONString(w.b, s) }
func (w *jw) int(n int64)  { w.value(); w.b = strconv.AppendInt(w.b, n, 10) }
func (w *jw) null()        { w.value(); w.b = append(w.b, "null"...) }

func (w *jw) boolean(v bool) {
	w.value()
	if v {
		w.b = append(w.b, "true"...)
	} else {
		w.b = append(w.b, "false"...)
	}
}

func (w *jw) float(f float64, prec int) {
	w.value()
	w.b = strconv.AppendFloat(w.b, f, 'f', prec, 64)
}

// timeMillis writes t as an RFC 3339 string with millisecond precision, e.g. 2026-01-05T09:12:44.123Z.
func (w *jw) timeMillis(t time.Time) {
	w.value()
	w.b = append(w.b, '"')
	w.b = appendTimeMillis(w.b, t)
	w.b = append(w.b, '"')
}

// appendTimeMillis appends t in UTC as 2006-01-02T15:04:05.000Z.
func appendTimeMillis(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	ms := t.Nanosecond() / 1e6
	b = appendPad(b, y, 4)
	b = append(b, '-')
	b = appendPad(b, int(mo), 2)
	b = append(b, '-')
	b = appendPad(b, d, 2)
	b = append(b, 'T')
	b = appendPad(b, h, 2)
	b = append(b, ':')
	b = appendPad(b, mi, 2)
	b = append(b, ':')
	b = appendPad(b, s, 2)
	b = append(b, '.')
	b = appendPad(b, ms, 3)
	return append(b, 'Z')
}

func appendPad(b []byte, v, width int) []byte {
	var buf [8]byte
	i := len(buf)
	for v > 0 || width > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	return append(b, buf[i:]...)
}

func (w *jw) kstr(k, v string)       { w.key(k); w.str(v) }
func (w *jw) kint(k string, n int64) { w.key(k); w.int(n) }
func (w *jw) kbool(k string, v bool) { w.key(k); w.boolean(v) }
func (w *jw) knull(k string)         { w.key(k); w.null() }

// kstrOrNull writes v, or null when v is empty.
func (w *jw) kstrOrNull(k, v string) {
	w.key(k)
	if v == "" {
		w.null()
	} else {
		w.str(v)
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal. Control characters, quotes, backslashes and the
// line/paragraph separators are escaped; everything else is written as UTF-8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
