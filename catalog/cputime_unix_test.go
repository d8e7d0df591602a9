//go:build unix

package catalog

import "syscall"

// processCPU returns the user and system CPU seconds the test process has used, so benchmarks can report a
// rate per core of CPU time that other load on a shared machine does not deflate.
func processCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
