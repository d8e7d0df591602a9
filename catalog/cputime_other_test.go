//go:build !unix

package catalog

// processCPU is unknown on this platform; benchmarks then report wall-clock rates only.
func processCPU() float64 { return 0 }
