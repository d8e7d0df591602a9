// Package pii finds e-mail addresses and phone numbers in free text and turns them into keyed hashes, so
// personal data can be matched (a CRM e-mail against one in a profile) without ever being stored in clear.
//
// Hashes are HMAC-SHA-256 under a deployment key, hex-encoded. Without the key a hash cannot be reversed by
// guessing likely addresses; with it, the same normalized value always gives the same hash, in the pipeline
// and in `rapport customers import` alike.
package pii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"regexp"
	"strings"
	"sync"
)

// MinKeyBytes is the shortest key accepted.
const MinKeyBytes = 16

// Hasher computes keyed hashes of normalized personal data. It is safe for concurrent use.
type Hasher struct {
	pool sync.Pool
}

// New returns a hasher with key, which must be at least MinKeyBytes long.
func New(key []byte) (*Hasher, error) {
	if len(key) < MinKeyBytes {
		return nil, errors.New("pii: the hashing key must be at least 16 bytes")
	}
	k := append([]byte(nil), key...)
	h := &Hasher{}
	h.pool.New = func() any { return hmac.New(sha256.New, k) }
	return h, nil
}

func (h *Hasher) sum(kind byte, v string) string {
	m := h.pool.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte{kind, 0})
	m.Write([]byte(v))
	var out [sha256.Size]byte
	s := hex.EncodeToString(m.Sum(out[:0]))
	h.pool.Put(m)
	return s
}

// Email returns the hash of an e-mail address after NormalizeEmail, or "" when addr is not an address.
func (h *Hasher) Email(addr string) string {
	n := NormalizeEmail(addr)
	if n == "" {
		return ""
	}
	return h.sum('e', n)
}

// Phone returns the hash of a phone number after NormalizePhone, or "" when num is not a phone number.
func (h *Hasher) Phone(num string) string {
	n := NormalizePhone(num)
	if n == "" {
		return ""
	}
	return h.sum('p', n)
}

// NormalizeEmail lower-cases and trims an address and drops a "+tag" from its local part; "" when it is not
// an address.
func NormalizeEmail(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(addr), "mailto:")))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(domain, "@ ") {
		return ""
	}
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	return local + "@" + domain
}

// NormalizePhone keeps the digits of a phone number (a leading "00" becomes the international "+" form) and
// returns "" when fewer than 7 or more than 15 digits remain. Numbers are compared as written: a national
// number and its international form are different values.
func NormalizePhone(num string) string {
	num = strings.TrimSpace(num)
	var b strings.Builder
	b.Grow(len(num))
	intl := strings.HasPrefix(num, "+")
	for _, r := range num {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "00") && !intl {
		d, intl = d[2:], true
	}
	if len(d) < 7 || len(d) > 15 {
		return ""
	}
	if intl {
		return "+" + d
	}
	return d
}

var (
	emailRe = regexp.MustCompile(`(?i)\b[a-z0-9][a-z0-9._%+\-]*@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,}\b`)
	// A phone number: optional +, then digits with the usual separators, 7–15 digits in all (checked after
	// the match). Bare runs of digits without a separator or + are not taken, so ids, years and prices stay.
	phoneRe = regexp.MustCompile(`(?:\+|\b)\d[\d\-. ()]{5,18}\d\b`)
)

// Found is personal data located in a text.
type Found struct {
	Emails []string // addresses as written
	Phones []string // phone numbers as written
}

// Find returns the e-mail addresses and phone numbers in text.
func Find(text string) Found {
	var f Found
	if mayHaveEmail(text) {
		f.Emails = emailRe.FindAllString(text, -1)
	}
	if !mayHavePhone(text) {
		return f
	}
	for _, m := range phoneRe.FindAllString(text, -1) {
		if looksLikePhone(m) {
			f.Phones = append(f.Phones, m)
		}
	}
	return f
}

func looksLikePhone(m string) bool {
	if NormalizePhone(m) == "" {
		return false
	}
	if strings.HasPrefix(m, "+") {
		return true
	}
	// Without +, require separators between digit groups (a formatted number), not a plain number.
	return strings.ContainsAny(strings.TrimSpace(m), " -.()") && !isDecimal(m)
}

// isDecimal reports a plain decimal number such as 1234.5678 (a price or a measurement, not a phone).
func isDecimal(m string) bool {
	return strings.Count(m, ".") == 1 && !strings.ContainsAny(m, " -()")
}

// Redact replaces every e-mail address in text with "[email]" and every phone number with "[phone]".
func Redact(text string) string {
	if mayHaveEmail(text) {
		text = emailRe.ReplaceAllString(text, "[email]")
	}
	if !mayHavePhone(text) {
		return text
	}
	return phoneRe.ReplaceAllStringFunc(text, func(m string) string {
		if looksLikePhone(m) {
			return "[phone]"
		}
		return m
	})
}

// mayHavePhone is a cheap filter: a phone number needs at least 7 digits.
func mayHavePhone(text string) bool {
	n := 0
	for i := 0; i < len(text); i++ {
		if text[i] >= '0' && text[i] <= '9' {
			if n++; n >= 7 {
				return true
			}
		}
	}
	return false
}

// mayHaveEmail is a cheap filter: an address needs an '@' right after a local-part character and right
// before a domain character (a mention such as "@acme" has neither before it).
func mayHaveEmail(text string) bool {
	for i := strings.IndexByte(text, '@'); i >= 0; {
		if i > 0 && i+1 < len(text) && isLocalByte(text[i-1]) && isLocalByte(text[i+1]) {
			return true
		}
		j := strings.IndexByte(text[i+1:], '@')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func isLocalByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}
