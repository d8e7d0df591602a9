package sentiment

// wordTable is the frozen word lexicon: an open-addressing hash table (linear probing) looked up by the
// lower-cased bytes of a word without converting them to a string. Probes read a byte array of control
// bytes first (0: empty, else 8 bits of the key's hash), small enough to stay in the processor's cache, so
// that a word the lexicon lacks usually costs no access to the slots at all. Each slot is one 32-byte record
// holding the key's hash tag, its entry and its first inlineKey bytes, so that a hit on a word of up to
// inlineKey bytes (almost every word) touches one line of the slots.
type wordTable struct {
	ctrl  []uint8
	slots []slot
	mask  uint64
	long  []string // keys longer than inlineKey, by slot.long
}

// ctrlByte is the control byte of a hash: never 0, which marks an empty slot.
func ctrlByte(h uint64) uint8 { return uint8(h>>24)%255 + 1 }

// inlineKey is how many bytes of a key its slot holds.
const inlineKey = 11

// slot is one record of the table; klen 0 marks an empty slot (keys are never empty).
type slot struct {
	tag   uint32 // the top 32 bits of the key's hash
	klen  uint8  // the key's length in bytes
	role  uint8
	long  uint16 // index in wordTable.long when klen > inlineKey
	val   float32
	boost float32
	vocab int32
	subj  uint8
	key   [inlineKey]byte
}

func (s *slot) entry() entry {
	return entry{val: s.val, boost: s.boost, role: s.role, vocab: s.vocab, subj: s.subj}
}

// FNV-1a.
const (
	hashOffset = uint64(14695981039346656037)
	hashPrime  = uint64(1099511628211)
)

func hashWord(b []byte) uint64 {
	h := hashOffset
	for _, c := range b {
		h ^= uint64(c)
		h *= hashPrime
	}
	return h
}

func newWordTable(words map[string]entry) *wordTable {
	n := 1
	for n < 8*len(words)/5 {
		n <<= 1
	}
	t := &wordTable{ctrl: make([]uint8, n), slots: make([]slot, n), mask: uint64(n - 1)}
	for k, e := range words {
		if len(k) == 0 || len(k) > 255 {
			continue // never looked up: words are non-empty and at most maxWord bytes
		}
		h := hashWord([]byte(k))
		s := slot{tag: uint32(h >> 32), klen: uint8(len(k)), role: e.role, val: e.val, boost: e.boost, vocab: e.vocab, subj: e.subj}
		copy(s.key[:], k)
		if len(k) > inlineKey {
			if len(t.long) == 1<<16 {
				continue // more long words than a slot can index: they stay unknown (the lexicons have a few hundred)
			}
			s.long = uint16(len(t.long))
			t.long = append(t.long, k)
		}
		for i := h & t.mask; ; i = (i + 1) & t.mask {
			if t.ctrl[i] == 0 {
				t.ctrl[i] = ctrlByte(h)
				t.slots[i] = s
				break
			}
		}
	}
	return t
}

func (t *wordTable) get(b []byte) (entry, bool) { return t.getHashed(b, hashWord(b)) }

// getHashed is get for a key whose hashWord is h.
func (t *wordTable) getHashed(b []byte, h uint64) (entry, bool) {
	tag, c := uint32(h>>32), ctrlByte(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.ctrl[i] {
		case 0:
			return entry{}, false
		case c:
		default:
			continue
		}
		s := &t.slots[i]
		if s.tag != tag || int(s.klen) != len(b) {
			continue
		}
		if len(b) <= inlineKey {
			if string(s.key[:len(b)]) == string(b) {
				return s.entry(), true
			}
		} else if t.long[s.long] == string(b) {
			return s.entry(), true
		}
	}
}
