package identity

import (
	"strings"
	"unicode"
)

// foldAccent maps common accented Latin letters to their base letter, so "Zoë" and "Zoe" compare equal.
var foldAccent = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a', 'ā': 'a', 'ą': 'a',
	'ç': 'c', 'ć': 'c', 'č': 'c',
	'ď': 'd', 'đ': 'd',
	'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e', 'ē': 'e', 'ę': 'e', 'ě': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ī': 'i',
	'ł': 'l', 'ñ': 'n', 'ń': 'n', 'ň': 'n',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'ø': 'o', 'ō': 'o', 'ő': 'o',
	'ř': 'r', 'ś': 's', 'š': 's', 'ş': 's', 'ß': 's', 'ť': 't', 'ţ': 't',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ū': 'u', 'ů': 'u', 'ű': 'u',
	'ý': 'y', 'ÿ': 'y', 'ź': 'z', 'ż': 'z', 'ž': 'z',
}

// NormalizeText lower-cases s, folds common accents, turns every run of characters that are neither
// letters nor digits into one space and trims the result.
func NormalizeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r < 0x80 { // ASCII: no accent to fold
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else if r = unicode.ToLower(r); r >= 0x80 {
			if f, ok := foldAccent[r]; ok {
				r = f
			}
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// NormalizeDigits keeps only the ASCII digits of s.
func NormalizeDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// NormalizePhone keeps the digits of s and, when there are more than ten, only the last ten, so that a
// country prefix present on one side only does not break agreement.
func NormalizePhone(s string) string {
	d := NormalizeDigits(s)
	if len(d) > 10 {
		d = d[len(d)-10:]
	}
	return d
}

// NormalizeEmail lower-cases and trims an e-mail address.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// NormalizeDate turns a date into eight digits YYYYMMDD when it can tell the order of its parts: plain
// eight digits are taken as YYYYMMDD; with separators, a four-digit first part means year-month-day and a
// four-digit last part means day-month-year (month and day swapped by a US-style source are tolerated by
// the date comparator). Anything else is returned as its digits.
func NormalizeDate(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if len(parts) == 3 {
		pad := func(p string) string {
			if len(p) == 1 {
				return "0" + p
			}
			return p
		}
		switch {
		case len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2:
			return parts[0] + pad(parts[1]) + pad(parts[2])
		case len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
			return parts[2] + pad(parts[1]) + pad(parts[0])
		}
	}
	return strings.Join(parts, "")
}
