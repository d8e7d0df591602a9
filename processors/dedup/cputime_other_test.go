//go:build !unix

package dedup_test

func cpuSeconds() float64 { return 0 }
