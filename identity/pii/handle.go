package pii

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A handle and the local part of an e-mail address are often the same word ("janedoe84" and
// janedoe84@example.com). To compare them without keeping local parts in clear, both sides are reduced to a
// name key and hashed under the deployment key: Handle of the author's handle against Local of the
// customer's address. The key comes in two strengths: all letters and digits ("janedoe84"), and letters
// only ("janedoe"), which survives an added birth year but is shared by more people.

// MinNameKey is the shortest name key hashed: shorter ones ("jd", "ab1") say too little about who it is.
const MinNameKey = 5

// NameKeys returns the full (letters and digits) and letters-only keys of s, lower-cased with common
// accents folded; a key shorter than MinNameKey is "". The two are equal when s has no digits.
func NameKeys(s string) (full, letters string) {
	var f, l strings.Builder
	for _, r := range strings.ToLower(s) {
		if a, ok := foldASCII[r]; ok {
			r = a
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= 0x80 && unicode.IsLetter(r):
			f.WriteRune(r)
			l.WriteRune(r)
		case r >= '0' && r <= '9':
			f.WriteRune(r)
		}
	}
	full, letters = f.String(), l.String()
	if len(full) < MinNameKey {
		full = ""
	}
	if len(letters) < MinNameKey {
		letters = ""
	}
	return full, letters
}

// LocalKeys returns the keyed hashes of the name keys of an e-mail address's local part (after
// NormalizeEmail); empty strings for keys that are too short or when addr is not an address.
func (h *Hasher) LocalKeys(addr string) (full, letters string) {
	n := NormalizeEmail(addr)
	local, _, ok := strings.Cut(n, "@")
	if !ok {
		return "", ""
	}
	return h.nameKeys(local)
}

// HandleKeys returns the keyed hashes of the name keys of a social handle, comparable with LocalKeys.
func (h *Hasher) HandleKeys(handle string) (full, letters string) {
	return h.nameKeys(HandleLocal(handle))
}

// HandleLocal returns the user part of a handle: without a leading "@" and, for a Mastodon acct
// (user@instance), without the instance.
func HandleLocal(handle string) string {
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	if i := strings.IndexByte(handle, '@'); i >= 0 {
		handle = handle[:i]
	}
	return handle
}

func (h *Hasher) nameKeys(s string) (full, letters string) {
	f, l := NameKeys(s)
	if f != "" {
		full = h.sum('l', f)
	}
	if l != "" {
		if l == f {
			letters = full
		} else {
			letters = h.sum('l', l)
		}
	}
	return full, letters
}

// AppendHandleKeys is HandleKeys appending the hex hashes to full and letters (buffers the caller owns), so
// a lookup does not allocate; a key that is absent appends nothing.
func (h *Hasher) AppendHandleKeys(full, letters []byte, handle string) ([]byte, []byte) {
	var fb, lb [64]byte
	f, l := appendNameKeys(fb[:0], lb[:0], HandleLocal(handle))
	n := len(full)
	if len(f) >= MinNameKey {
		full = h.appendSum(full, 'l', f)
	}
	if len(l) >= MinNameKey {
		if len(f) >= MinNameKey && string(l) == string(f) {
			letters = append(letters, full[n:]...)
		} else {
			letters = h.appendSum(letters, 'l', l)
		}
	}
	return full, letters
}

// appendNameKeys is NameKeys into byte buffers, without the length check.
func appendNameKeys(full, letters []byte, s string) ([]byte, []byte) {
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		} else if r >= 0x80 {
			r = unicode.ToLower(r)
			if a, ok := foldASCII[r]; ok {
				r = a
			}
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= 0x80 && unicode.IsLetter(r):
			full = utf8.AppendRune(full, r)
			letters = utf8.AppendRune(letters, r)
		case r >= '0' && r <= '9':
			full = append(full, byte(r))
		}
	}
	return full, letters
}

// foldASCII maps common accented Latin letters to their base letter.
var foldASCII = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a',
	'ç': 'c', 'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ñ': 'n',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'ø': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y', 'ÿ': 'y', 'ß': 's',
}

// appendSum appends the hex hash of v (see sum) to dst.
func (h *Hasher) appendSum(dst []byte, kind byte, v []byte) []byte {
	m := h.pool.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte{kind, 0})
	m.Write(v)
	var out [sha256.Size]byte
	sum := m.Sum(out[:0])
	h.pool.Put(m)
	n := len(dst)
	dst = append(dst, make([]byte, hex.EncodedLen(len(sum)))...)
	hex.Encode(dst[n:], sum)
	return dst
}
