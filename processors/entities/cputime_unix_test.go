//go:build unix

package entities

import "syscall"

// cpuSeconds is the user plus system CPU time of this test process. Benchmarks divide by it to give a rate per
// core that other load on the machine does not lower.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
