package dedup

import "math/bits"

// MinHash signatures over word-pair shingles, and the locality-sensitive index over them.
//
// No maintained MinHash/LSH package for Go was available to the project, so this is a small implementation
// of the standard scheme (Broder 1997; banding as in Leskovec, Rajaraman & Ullman, Mining of Massive
// Datasets, ch. 3): each shingle hash is put through numHashes universal hash functions (multiply-add on
// 64 bits, keeping the high half), the signature keeps the minimum of each, and the share of equal minima
// between two signatures estimates the Jaccard similarity of their shingle sets. The signature keeps the low
// 16 bits of each minimum (b-bit MinHash): two different minima agree by chance with probability 2^-16,
// which shifts the estimate by less than 0.0001.

const (
	numHashes = 64 // signature length
	numBands  = 8  // LSH bands
	bandRows  = 2  // minima per band; numBands*bandRows ≤ numHashes
)

type signature [numHashes]uint16

// hashParams are the odd multipliers and the offsets of the hash functions, fixed so that signatures are the
// same in every process (warm-started state compares with new posts).
var hashMul, hashAdd = func() (m, a [numHashes]uint64) {
	s := uint64(0x9e3779b97f4a7c15)
	for i := range m {
		m[i] = splitmix(&s) | 1
		a[i] = splitmix(&s)
	}
	return m, a
}()

func splitmix(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb93fe884fe53
	return x ^ (x >> 33)
}

// sign computes the signature of the shingles of tokens: every word and every pair of adjacent words. Words
// keep the similarity of copies whose parts were reordered (hashtags shuffled at the end), pairs keep
// word order from counting for nothing.
func sign(tokens []uint64, sig *signature) {
	var mins [numHashes]uint32
	for i := range mins {
		mins[i] = ^uint32(0)
	}
	for i := 0; i < 2*len(tokens)-1; i++ {
		var x uint64
		if i < len(tokens) {
			x = mix(tokens[i])
		} else {
			j := i - len(tokens)
			x = mix(tokens[j]*0x9e3779b97f4a7c15 ^ tokens[j+1])
		}
		for k := range mins {
			if v := uint32((x*hashMul[k] + hashAdd[k]) >> 32); v < mins[k] {
				mins[k] = v
			}
		}
	}
	for k, v := range mins {
		sig[k] = uint16(v)
	}
}

// similarity estimates the Jaccard similarity of the shingle sets behind a and b: the share of equal
// minima, compared four at a time.
func similarity(a, b *signature) float64 {
	const low, high = 0x7fff7fff7fff7fff, 0x8000800080008000
	eq := 0
	for i := 0; i < numHashes; i += 4 {
		x := uint64(a[i]^b[i]) | uint64(a[i+1]^b[i+1])<<16 | uint64(a[i+2]^b[i+2])<<32 | uint64(a[i+3]^b[i+3])<<48
		// A lane's top bit ends up set exactly when the lane is zero.
		y := ^((x&low + low) | x | low)
		eq += bits.OnesCount64(y & high)
	}
	return float64(eq) / numHashes
}

// bandKey returns the bucket key of band b of sig.
func bandKey(sig *signature, b int) uint64 {
	x := uint64(b+1) << 40
	for r := 0; r < bandRows; r++ {
		x = x<<16 | uint64(sig[b*bandRows+r])
	}
	return mix(x ^ 0x5bd1e995)
}

// exactKey returns the key of the whole normalized word sequence.
func exactKey(tokens []uint64) uint64 {
	h := uint64(0x6a09e667f3bcc908)
	for _, t := range tokens {
		h = mix(h ^ t)
	}
	return h | 1
}
